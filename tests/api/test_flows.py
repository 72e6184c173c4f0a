"""The flows API: the fixed contract outside scripts rely on, versions, and tenant scoping."""

import pytest

from tests.conftest import flow_document

GRAPH = flow_document(
    {"id": "hook", "type": "core.webhook", "position": {"x": 0, "y": 0}},
    {
        "id": "map",
        "type": "core.map",
        "params": {"fields": {}},
        "mapping": {"fields.email": "trigger.email"},
    },
)


def create(api, graph=GRAPH, name="Paid orders"):
    reply = api.post("/api/flows", json={"name": name, "graph": graph})
    assert reply.status_code == 201, reply.get_json()
    return reply.get_json()


def test_create_returns_id_and_version_and_reads_back(api):
    created = create(api)
    assert created["version"] == 1 and created["active"] is False
    fetched = api.get(f"/api/flows/{created['id']}").get_json()
    assert fetched["graph"] == GRAPH and fetched["name"] == "Paid orders"
    assert [f["id"] for f in api.get("/api/flows").get_json()["flows"]] == [created["id"]]


def test_invalid_graph_is_422_problem_with_pointers_into_the_request(api):
    graph = flow_document(
        {"id": "hook", "type": "core.webhook"},
        {
            "id": "map",
            "type": "core.map",
            "params": {"fields": {}},
            "mapping": {"fields.email": "trigger.[email"},
        },
    )
    reply = api.post("/api/flows", json={"name": "", "graph": graph})
    assert reply.status_code == 422
    assert reply.content_type == "application/problem+json"
    errors = {e["pointer"]: e["message"] for e in reply.get_json()["errors"]}
    assert set(errors) == {"/name", "/graph/nodes/1/mapping/fields.email"}
    assert api.get("/api/flows").get_json()["flows"] == []


def test_saving_creates_versions_and_old_ones_stay_readable(api):
    flow = create(api)
    changed = flow_document(
        *GRAPH["nodes"], {"id": "more", "type": "core.map", "params": {"fields": {"x": 1}}}
    )
    updated = api.put(f"/api/flows/{flow['id']}", json={"graph": changed, "name": "Renamed"})
    assert updated.get_json()["version"] == 2 and updated.get_json()["name"] == "Renamed"
    versions = api.get(f"/api/flows/{flow['id']}/versions").get_json()["versions"]
    assert [(v["number"], v["current"]) for v in versions] == [(2, True), (1, False)]
    assert api.get(f"/api/flows/{flow['id']}/versions/1").get_json()["graph"] == GRAPH


def test_saving_warns_of_a_mapping_that_finds_nothing_in_the_sample_data_but_saves(api):
    flow = create(api)
    typo = flow_document(
        GRAPH["nodes"][0],
        {
            "id": "map",
            "type": "core.map",
            "params": {"fields": {}},
            "mapping": {"fields.email": "trigger.emial", "fields.id": "trigger.id"},
        },
    )
    saved = api.put(f"/api/flows/{flow['id']}", json={"graph": typo}).get_json()
    assert saved["version"] == 2
    assert saved["warnings"] == [
        {
            "pointer": "/graph/nodes/1/mapping/fields.email",
            "message": 'Step "map", field "fields.email": `trigger.emial` finds nothing in the '
            "sample data. Check the path, or give a default if the data may be missing.",
        }
    ]
    fixed = api.put(f"/api/flows/{flow['id']}", json={"graph": GRAPH}).get_json()
    assert fixed["warnings"] == []


def test_activate_returns_absolute_webhook_urls_that_stay_stable(api):
    flow = create(api)
    activated = api.post(f"/api/flows/{flow['id']}/activate").get_json()
    [hook] = activated["webhooks"]
    assert hook["node_id"] == "hook" and hook["url"].startswith("http://localhost/hooks/")
    api.post(f"/api/flows/{flow['id']}/deactivate")
    again = api.post(f"/api/flows/{flow['id']}/activate").get_json()
    assert again["webhooks"] == [hook]


def test_delete_removes_the_flow_and_its_webhook(api, client):
    flow = create(api)
    url = api.post(f"/api/flows/{flow['id']}/activate").get_json()["webhooks"][0]["url"]
    assert api.delete(f"/api/flows/{flow['id']}").status_code == 204
    assert api.get(f"/api/flows/{flow['id']}").status_code == 404
    assert client.post(url, json={}).status_code == 404


def test_requests_without_a_valid_token_are_401(client, api):
    reply = client.get("/api/flows")
    assert reply.status_code == 401 and reply.content_type == "application/problem+json"
    assert "Bearer" in reply.get_json()["detail"]
    wrong = client.get("/api/flows", headers={"Authorization": "Bearer sw_nope"})
    assert wrong.status_code == 401


@pytest.mark.parametrize(
    "method, suffix",
    [
        ("get", ""),
        ("put", ""),
        ("delete", ""),
        ("post", "/activate"),
        ("post", "/deactivate"),
        ("post", "/run"),
        ("get", "/versions"),
        ("get", "/versions/1"),
        ("get", "/rejected-events"),
    ],
)
def test_another_merchants_flow_is_404(api, other_api, method, suffix):
    flow = create(api)
    reply = getattr(other_api, method)(f"/api/flows/{flow['id']}{suffix}", json={"name": "x"})
    assert reply.status_code == 404
    assert api.get(f"/api/flows/{flow['id']}").get_json()["name"] == "Paid orders"
    assert other_api.get("/api/flows").get_json()["flows"] == []


def test_node_catalog_and_schemas(api, client):
    nodes = {n["key"]: n for n in api.get("/api/nodes").get_json()["nodes"]}
    assert {"core.webhook", "core.manual", "core.map", "core.filter", "core.http_request"} <= set(
        nodes
    )
    assert nodes["core.http_request"]["title"]["de"] == "HTTP-Anfrage"
    assert client.get("/api/schema/flow").get_json()["required"] == [
        "schema_version",
        "nodes",
        "edges",
    ]
    paths = client.get("/api/openapi.json").get_json()["paths"]
    assert {"/api/flows", "/api/executions/{execution_id}/retry", "/hooks/{token}"} <= set(paths)
