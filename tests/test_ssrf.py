"""SSRF through a real flow run: an HTTP request step aimed at loopback, private, link-local
or metadata addresses fails with a clear error the merchant sees, and no packet reaches them.

The installation here allows only 127.0.0.2 (a stand-in for a public server that redirects),
so everything on 127.0.0.1, where the receiver listens, counts as internal.
"""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from rq import SimpleWorker
from rq.serializers import JSONSerializer

from app import create_app
from app.cli import issue_token, merchant_named
from app.runtime.queue import execution_queue
from tests.conftest import Api, flow_document


class _Redirect(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(302)
        self.send_header("Location", self.server.target)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def redirector(receiver):
    """A server the installation may reach (127.0.0.2) that redirects to localhost."""
    server = ThreadingHTTPServer(("127.0.0.2", 0), _Redirect)
    server.target = receiver.url("/internal").replace("127.0.0.1", "localhost")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.2:{server.server_port}/go"
    server.shutdown()
    server.server_close()


@pytest.fixture
def guarded_app(app, app_config):
    strict = create_app({**app_config, "SHOPWIRE_ALLOW_PRIVATE_NETWORKS": "127.0.0.2/32"})
    with strict.app_context():
        yield strict


def test_requests_to_internal_addresses_fail_the_step_visibly(guarded_app, receiver, redirector):
    port = receiver.server_port
    targets = {
        "loopback": (f"http://127.0.0.1:{port}/", "loopback"),
        "dns-to-loopback": (f"http://localhost:{port}/", "Refused to connect to localhost"),
        "ipv6-loopback": (f"http://[::1]:{port}/", "loopback"),
        "ipv4-mapped": (f"http://[::ffff:127.0.0.1]:{port}/", "loopback"),
        "private": ("http://10.0.0.1/", "private network"),
        "metadata": ("http://169.254.169.254/latest/meta-data/", "link-local"),
        "redirect-to-localhost": (redirector, "Refused to connect to localhost"),
    }
    api = Api(guarded_app.test_client(), issue_token(merchant_named("acme"), "tests"))
    started = {}
    for name, (url, _) in targets.items():
        graph = flow_document(
            {"id": "start", "type": "core.manual"},
            {"id": "call", "type": "core.http_request", "params": {"method": "GET", "url": url}},
        )
        flow = api.post("/api/flows", json={"name": name, "graph": graph}).get_json()
        started[name] = api.post(f"/api/flows/{flow['id']}/run", json={"payload": {}}).get_json()
    queue = execution_queue()
    SimpleWorker([queue], connection=queue.connection, serializer=JSONSerializer).work(
        burst=True, logging_level="WARNING"
    )

    for name, (_, expected) in targets.items():
        execution = api.get(f"/api/executions/{started[name]['id']}").get_json()
        assert execution["status"] == "failed", name
        step = next(s for s in execution["steps"] if s["node_id"] == "call")
        error = step["error"]
        assert error["type"] == "user" and error["field"] == "url", (name, error)
        assert expected in error["message"], (name, error["message"])
        assert step["attempts"] == 1  # refused, not retried
    assert receiver.requests == []  # nothing internal was ever reached


def test_a_redirect_to_a_file_or_a_broken_host_name_fails_the_step_with_a_sentence(
    guarded_app, receiver
):
    server = ThreadingHTTPServer(("127.0.0.2", 0), _Redirect)
    server.target = "file:///etc/passwd"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    redirect_to_file = f"http://127.0.0.2:{server.server_port}/go"
    targets = {
        redirect_to_file: f"{redirect_to_file} redirects to file:///etc/passwd, which is not a "
        "web address",
        "http://shop..example/": "shop..example is not a valid host name",
        "http://" + "x" * 64 + ".example/": "is not a valid host name",
    }
    api = Api(guarded_app.test_client(), issue_token(merchant_named("acme"), "tests"))
    started = {}
    try:
        for url in targets:
            graph = flow_document(
                {"id": "start", "type": "core.manual"},
                {
                    "id": "call",
                    "type": "core.http_request",
                    "params": {"url": url, "method": "GET"},
                },
            )
            flow = api.post("/api/flows", json={"name": url[:50], "graph": graph}).get_json()
            started[url] = api.post(f"/api/flows/{flow['id']}/run", json={"payload": {}})
        queue = execution_queue()
        SimpleWorker([queue], connection=queue.connection, serializer=JSONSerializer).work(
            burst=True, logging_level="WARNING"
        )
    finally:
        server.shutdown()
        server.server_close()
    for url, expected in targets.items():
        execution = api.get(f"/api/executions/{started[url].get_json()['id']}").get_json()
        step = next(s for s in execution["steps"] if s["node_id"] == "call")
        assert step["error"]["type"] == "user" and step["error"]["field"] == "url", step["error"]
        assert expected in step["error"]["message"]
