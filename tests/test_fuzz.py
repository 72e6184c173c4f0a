"""Fuzz tests (Hypothesis) of what a stranger or a merchant controls: webhook bodies, JMESPath
expressions and templates. Whatever they send, the answer is a 4xx or an error in words, never
a crash, and nothing takes more than the bounds allow."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nodes.engine.mapping import MappingError, evaluate
from nodes.engine.payloads import PayloadError, parse_body
from nodes.engine.templating import TemplateError, render
from tests.conftest import create_active_flow, flow_document

CONTENT_TYPES = st.sampled_from(
    ["application/json", "application/x-www-form-urlencoded", "text/plain", None, "x/+json"]
)
SCOPE = {
    "trigger": {"id": 7, "items": [{"sku": "A", "qty": 2}], "note": None, "name": "Jon"},
    "input": {"total": "12.50"},
    "steps": {},
    "flow": {"name": "Fuzz"},
    "now": "2026-12-03T10:00:00+00:00",
}
# Text made of the pieces the languages are built from, so the fuzzer reaches past the lexer.
EXPRESSION_PARTS = st.sampled_from(
    [
        "trigger",
        "input",
        ".",
        "[",
        "]",
        "*",
        "@",
        "|",
        "(",
        ")",
        "{",
        "}",
        ":",
        ",",
        "`1`",
        "'x'",
        "&&",
        "||",
        "!",
        "==",
        "<",
        "length(",
        "join(",
        "sort(",
        "items",
        "sku",
        "[?",
        "&",
    ]
)
TEMPLATE_PARTS = st.sampled_from(
    [
        "{{",
        "}}",
        "{%",
        "%}",
        "for x in ",
        "range(",
        "endfor",
        "if ",
        "endif",
        "trigger.",
        "name",
        "|",
        "join",
        "center(",
        "format(",
        "*",
        "**",
        "%",
        "~",
        "'x'",
        "9",
        "999999",
        ")",
        " ",
        ".",
        "__class__",
        "set a = ",
        "lipsum",
        "[",
        "]",
        ",",
    ]
)
FUZZ = settings(deadline=None, max_examples=150)


@FUZZ
@given(body=st.binary(max_size=2000), content_type=CONTENT_TYPES)
def test_any_body_is_parsed_or_refused_in_words(body, content_type):
    try:
        parse_body(body, content_type)
    except PayloadError as error:
        assert error.status in (400, 415) and error.message


@FUZZ
@given(st.lists(EXPRESSION_PARTS, max_size=30).map("".join) | st.text(max_size=200))
def test_any_expression_is_evaluated_or_refused_in_words(expression):
    try:
        evaluate(expression, SCOPE)
    except MappingError as error:
        assert error.message


@FUZZ
@given(st.lists(TEMPLATE_PARTS, max_size=30).map("".join) | st.text(max_size=200))
def test_any_template_is_rendered_or_refused_in_words(template):
    try:
        text = render(template, SCOPE)
    except TemplateError as error:
        assert error.message
    else:
        assert len(text) <= 1_000_000


@pytest.fixture
def hook_url(api):
    _, url = create_active_flow(api, flow_document({"id": "hook", "type": "core.webhook"}))
    return url


@settings(
    deadline=None, max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=st.binary(max_size=3000), content_type=CONTENT_TYPES)
def test_ingress_answers_any_delivery_without_an_error_of_its_own(
    client, hook_url, body, content_type
):
    reply = client.post(hook_url, data=body, content_type=content_type)
    assert reply.status_code in (202, 400, 415), reply.get_data(as_text=True)
