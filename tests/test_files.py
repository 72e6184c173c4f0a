"""Files steps save: kept per shop, linked from the execution, passed on by reference, sent on
by an HTTP step, bounded in size, purged with their execution, in the data directory or S3."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app.extensions import db
from app.models import Execution, StoredFile
from app.models.base import utcnow
from app.runtime import files as file_storage
from app.runtime import retention
from nodes.kit import files, registry
from nodes.kit.base import NodeContext
from tests.conftest import create_active_flow, flow_document, run_now

LABEL = b"%PDF-1.4\n% a label\n" + bytes(range(256))


@pytest.fixture
def label_node():
    """A node that saves a label file, as a carrier's create-label action does."""

    def run(ctx: NodeContext, params, input):
        return {"label": files.save(ctx, LABEL, params["name"], "application/pdf")}

    registry.node(
        "testkit.make_label",
        kind="action",
        title={"en": "Make label", "de": "Etikett erstellen"},
        description={"en": "Test", "de": "Test"},
        params={"type": "object", "properties": {"name": {"type": "string"}}},
        output_schema={"type": "object"},
        output_example={"label": {}},
    )(run)
    yield
    registry._specs.pop(("testkit.make_label", 1))


def label_flow(upload_url, **upload):
    return flow_document(
        {"id": "start", "type": "core.manual"},
        {"id": "label", "type": "testkit.make_label", "params": {"name": "../label 1001.pdf"}},
        {
            "id": "upload",
            "type": "core.http_request",
            "params": {"url": upload_url, "method": "PUT", **upload},
            "mapping": {"file": "steps.label.label"},
        },
    )


def test_a_saved_file_is_uploaded_by_a_later_step_and_linked_from_the_execution(
    api, other_api, run_queue, receiver, label_node
):
    flow_id, _ = create_active_flow(api, label_flow(receiver.url("/labels")))

    execution = run_now(api, run_queue, flow_id)

    assert execution["status"] == "succeeded", execution
    reference = execution["steps"][1]["output"]["label"]
    assert reference == {
        "file": reference["file"],
        "filename": "label 1001.pdf",  # no path survives in a name
        "media_type": "application/pdf",
        "size": len(LABEL),
    }
    [upload] = receiver.requests
    assert (upload.method, upload.body) == ("PUT", LABEL)
    assert upload.header("Content-Type") == "application/pdf"

    [link] = execution["files"]
    assert link["id"] == reference["file"]
    assert (link["node_id"], link["filename"], link["size"]) == (
        "label",
        "label 1001.pdf",
        len(LABEL),
    )
    download = api.get(link["url"])
    assert download.status_code == 200
    assert download.data == LABEL
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "label 1001.pdf" in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"

    assert other_api.get(link["url"]).status_code == 404
    assert other_api.get(f"/api/executions/{execution['id']}").status_code == 404


def test_a_file_goes_out_as_a_form_field(api, run_queue, receiver, label_node):
    graph = label_flow(receiver.url("/upload"), file_form_field="document")
    flow_id, _ = create_active_flow(api, graph)

    assert run_now(api, run_queue, flow_id)["status"] == "succeeded"

    [upload] = receiver.requests
    assert upload.header("Content-Type").startswith("multipart/form-data; boundary=")
    assert b'name="document"; filename="label 1001.pdf"' in upload.body
    assert LABEL in upload.body


def test_a_file_too_large_fails_its_step_in_plain_words(app, api, run_queue, receiver, label_node):
    app.config["SHOPWIRE_FILE_MAX_BYTES"] = 100
    flow_id, _ = create_active_flow(api, label_flow(receiver.url("/labels")))

    execution = run_now(api, run_queue, flow_id)

    assert execution["status"] == "failed"
    assert execution["steps"][1]["error"]["message"] == (
        "The file label 1001.pdf is 275 bytes; files may be at most 100 bytes."
    )
    assert execution["files"] == []
    assert receiver.requests == []


def test_another_shops_file_reads_as_gone(api, other_api, run_queue, receiver, label_node):
    flow_id, _ = create_active_flow(api, label_flow(receiver.url("/labels")))
    theirs = run_now(api, run_queue, flow_id)["steps"][1]["output"]["label"]
    graph = flow_document(
        {"id": "start", "type": "core.manual"},
        {
            "id": "upload",
            "type": "core.http_request",
            "params": {"url": receiver.url("/stolen"), "file": theirs},
        },
    )
    other_flow, _ = create_active_flow(other_api, graph)

    execution = run_now(other_api, run_queue, other_flow)

    assert execution["status"] == "failed"
    error = execution["steps"][1]["error"]
    assert error["field"] == "file"
    assert error["message"].startswith("The file label 1001.pdf is gone")
    assert [r.path for r in receiver.requests] == ["/labels"]


def test_files_are_purged_with_their_execution(app, api, run_queue, receiver, label_node):
    flow_id, _ = create_active_flow(api, label_flow(receiver.url("/labels")))
    execution = run_now(api, run_queue, flow_id)
    stored = db.session.scalar(select(StoredFile))
    assert file_storage.storage().get(stored.key) == LABEL
    db.session.execute(
        update(Execution)
        .where(Execution.id == execution["id"])
        .values(created_at=utcnow() - timedelta(days=90))
    )
    db.session.commit()

    counts = retention.purge()

    assert counts["files"] == 1
    assert db.session.scalar(select(StoredFile)) is None
    assert file_storage.storage().get(stored.key) is None


@pytest.fixture
def s3_bucket(app):
    """A local S3-compatible server (moto's server mode) with an empty bucket."""
    moto_server = pytest.importorskip("moto.server")
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    app.config.update(
        SHOPWIRE_FILES_S3_BUCKET="shop-files",
        SHOPWIRE_FILES_S3_ENDPOINT=f"http://{host}:{port}",
        SHOPWIRE_FILES_S3_REGION="eu-central-1",
        SHOPWIRE_FILES_S3_ACCESS_KEY="test-access",
        SHOPWIRE_FILES_S3_SECRET_KEY="test-secret",  # noqa: S105
    )
    app.extensions.pop("shopwire_files", None)
    storage = file_storage.storage()
    storage.client.create_bucket(
        Bucket="shop-files", CreateBucketConfiguration={"LocationConstraint": "eu-central-1"}
    )
    yield storage
    app.extensions.pop("shopwire_files", None)
    server.stop()


def test_files_live_in_the_s3_bucket_when_one_is_configured(
    api, run_queue, receiver, label_node, s3_bucket, data_dir
):
    flow_id, _ = create_active_flow(api, label_flow(receiver.url("/labels")))

    execution = run_now(api, run_queue, flow_id)

    assert execution["status"] == "succeeded", execution
    [link] = execution["files"]
    stored = db.session.get(StoredFile, link["id"])
    found = s3_bucket.client.get_object(Bucket="shop-files", Key=stored.key)
    assert found["Body"].read() == LABEL
    assert found["ContentType"] == "application/pdf"
    assert not (data_dir / "files" / stored.key).exists()
    assert receiver.requests[0].body == LABEL
    assert api.get(link["url"]).data == LABEL


def test_the_execution_page_links_its_files_for_the_signed_in_shop(
    app, client, run_queue, receiver, label_node
):
    from app.cli import ensure_demo_merchant
    from tests.conftest import Api
    from tests.test_pages import sign_in

    api = Api(client, ensure_demo_merchant())
    flow_id, _ = create_active_flow(api, label_flow(receiver.url("/labels")))
    execution = run_now(api, run_queue, flow_id)
    [link] = execution["files"]
    sign_in(client)

    page = client.get(f"/executions/{execution['id']}").get_data(as_text=True)
    assert f'<a href="/api/files/{link["id"]}" download>label 1001.pdf</a>' in page
    assert client.get(link["url"]).data == LABEL  # the browser's session is the shop's user
    german = client.get(f"/executions/{execution['id']}", headers={"Accept-Language": "de"})
    assert "<h2>Dateien</h2>" in german.get_data(as_text=True)
