"""core.soap_request against a local SOAP service: operations from the WSDL, envelopes as the
WSDL describes them, faults in plain words, and the outbound rules for every document."""

from __future__ import annotations

import pytest
from lxml import etree

from nodes.core.soap_request import SOAP, soap_request
from nodes.kit.auth import basic
from nodes.kit.base import NodeContext, ProviderError, TransientError, UserError
from nodes.kit.client import ApiClient
from nodes.kit.guarded_http import guarded_session
from tests.conftest import create_credential, flow_document, run_now
from tests.fakes.soap_service import ENVELOPE, PASSWORD, TNS, USER, WSDL, FakeSoapService


@pytest.fixture
def service():
    with FakeSoapService() as fake:
        yield fake


def call(fake, operation: str, arguments: dict | None = None, *, session=None, account=None):
    session = session or guarded_session(allow_private=True, timeout=5.0)
    ctx = NodeContext("run", "step", session, credential=account or fake.account)
    params = {"operation": operation} | ({"arguments": arguments} if arguments else {})
    return soap_request(ctx, params, None)


def sent_operation(request) -> etree._Element:
    (operation,) = etree.fromstring(request.body).find(f"{{{ENVELOPE}}}Body")
    return operation


def test_the_editor_lists_the_operations_of_the_wsdl(api, service):
    credential = create_credential(api, "soap", service.account, "ERP")
    answer = api.get(f"/api/nodes/core.soap_request/options/operations?credential={credential}")
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["items"] == [
        {
            "value": "CreateOrder",
            "label": "CreateOrder(number: xsd:string, customer: xsd:string, line: ns0:Line[])",
        },
        {"value": "GetStock", "label": "GetStock(sku: xsd:string, warehouse: xsd:string)"},
    ]
    (wsdl,) = service.requests
    assert wsdl.path == "/inventory?wsdl"
    assert wsdl.header("Authorization") == basic(USER, PASSWORD)


def test_test_connection_names_the_service_and_its_operations(service):
    api = ApiClient(SOAP, guarded_session(allow_private=True), service.account)
    assert SOAP.test(api) == "InventoryService: CreateOrder, GetStock"


def test_an_operation_is_called_as_the_wsdl_describes_it(service):
    answer = call(service, "GetStock", {"sku": "TS-BLK-M"})
    assert answer == {
        "result": {
            "sku": "TS-BLK-M",
            "quantity": 25,
            "price": "19.99",
            "updated": "2024-04-08T10:00:00+00:00",
        }
    }
    wsdl, post = service.requests
    assert (post.method, post.path) == ("POST", "/inventory")
    assert post.header("SOAPAction") == '"http://erp.example.com/inventory/GetStock"'
    assert post.header("Content-Type").startswith("text/xml")
    for request in (wsdl, post):
        assert request.header("Authorization") == basic(USER, PASSWORD)
    operation = sent_operation(post)
    assert operation.tag == f"{{{TNS}}}GetStock"
    assert [(etree.QName(c).localname, c.text) for c in operation] == [("sku", "TS-BLK-M")]


def test_nested_and_repeated_elements_come_from_objects_and_lists(service):
    lines = [{"sku": "TS-BLK-M", "quantity": 2}, {"sku": "BK-1", "quantity": 1}]
    answer = call(service, "CreateOrder", {"number": "#1001", "customer": "C1", "line": lines})
    assert answer == {"result": "ERP-1"}  # a response of one element is that element's value
    assert service.orders == [
        {
            "number": "#1001",
            "lines": [{"sku": "TS-BLK-M", "quantity": "2"}, {"sku": "BK-1", "quantity": "1"}],
        }
    ]


def test_ws_security_puts_a_username_token_in_the_envelope(service):
    account = {**service.account, "auth": "ws_security"}
    service.authorized = lambda request: True
    call(service, "GetStock", {"sku": "TS-BLK-M"}, account=account)
    post = service.requests[-1]
    assert post.header("Authorization") is None
    assert b"UsernameToken" in post.body and USER.encode() in post.body
    assert PASSWORD.encode() in post.body


def test_faults_and_refusals_are_told_in_plain_words(service):
    with pytest.raises(
        ProviderError, match=r"The SOAP service says: Unknown SKU: NOPE \(soap:Client\)"
    ):
        call(service, "GetStock", {"sku": "NOPE"})
    with pytest.raises(UserError) as unknown:
        call(service, "DeleteAll")
    assert unknown.value.message == (
        "The service has no operation DeleteAll; it has CreateOrder, GetStock."
    )
    with pytest.raises(UserError) as wrong:
        call(service, "GetStock", {"colour": "red"})
    assert wrong.value.field == "arguments" and "colour" in wrong.value.message

    with pytest.raises(ProviderError) as refused:
        call(service, "GetStock", {"sku": "TS-BLK-M"}, account={**service.account, "password": "x"})
    assert refused.value.status == 401 and "enter it again" in refused.value.hint


def test_a_busy_service_is_retried(service):
    service.fail_next(  # the WSDL, then a busy reply to the call
        200, WSDL.read_bytes().replace(b"SERVICE_ADDRESS", service.url("/inventory").encode())
    )
    service.rate_limit_next(retry_after=4)
    with pytest.raises(TransientError) as busy:
        call(service, "GetStock", {"sku": "TS-BLK-M"})
    assert "429" in busy.value.message and busy.value.retry_after == 4


def test_the_wsdl_is_fetched_under_the_outbound_rules(service):
    with pytest.raises(UserError) as blocked:
        call(service, "GetStock", {"sku": "TS-BLK-M"}, session=guarded_session(timeout=5.0))
    assert blocked.value.field == "url" and "127.0.0.1" in blocked.value.message
    assert service.requests == []  # refused before connecting

    small = guarded_session(allow_private=True, timeout=5.0, max_response_bytes=1000)
    with pytest.raises(UserError, match="larger than"):
        call(service, "GetStock", {"sku": "TS-BLK-M"}, session=small)


def test_a_wsdl_with_entities_or_files_is_refused():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x "xxxxxxxx"><!ENTITY y "&x;&x;&x;">]>'
        b"<definitions>&y;</definitions>"
    )
    with FakeSoapService(wsdl=bomb) as fake, pytest.raises(UserError) as refused:
        call(fake, "GetStock", {"sku": "A"})
    assert (
        refused.value.message
        == "The WSDL declares a DTD or entities, which are refused for safety."
    )

    importing = WSDL.read_bytes().replace(
        b"<types>",
        b'<import namespace="urn:x" location="file:///etc/passwd"/><types>',
    )
    with FakeSoapService(wsdl=importing) as fake, pytest.raises(UserError) as local:
        call(fake, "GetStock", {"sku": "A"})
    assert local.value.message == (
        "The WSDL refers to file:///etc/passwd; only http and https addresses are fetched."
    )


def test_a_wsdl_that_imports_without_end_is_cut_off(service, monkeypatch):
    from nodes.core import soap_request as module

    monkeypatch.setattr(module, "MAX_DOCUMENTS", 1)
    importing = WSDL.read_bytes().replace(
        b"<types>", b'<import namespace="urn:x" location="/inventory?wsdl"/><types>'
    )
    with FakeSoapService(wsdl=importing) as fake, pytest.raises(UserError) as cut:
        call(fake, "GetStock", {"sku": "A"})
    assert cut.value.message.startswith("The WSDL and what it imports are too large")
    assert len(fake.requests) == 1


def test_a_flow_asks_the_soap_service_for_stock(api, run_queue, service):
    credential = create_credential(api, "soap", service.account, "ERP")
    step = {
        "id": "stock",
        "type": "core.soap_request",
        "credential": credential,
        "params": {"operation": "GetStock"},
        "mapping": {"arguments": "{sku: trigger.sku}"},
    }
    created = api.post(
        "/api/flows",
        json={"name": "Stock", "graph": flow_document({"id": "t", "type": "core.manual"}, step)},
    )
    assert created.status_code == 201, created.get_json()
    done = run_now(api, run_queue, created.get_json()["id"], {"sku": "TS-BLK-M"})
    assert done["status"] == "succeeded", done
    assert done["steps"][1]["output"]["result"]["quantity"] == 25
