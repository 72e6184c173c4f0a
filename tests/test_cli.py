"""`shopwire up` and `shopwire token`: the commands outside scripts rely on."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from app.cli import migrate_database
from tests.conftest import flow_document


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children_of(pid: int) -> list[int]:
    found = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True
    ).stdout.split()
    return [int(p) for p in found]


def command_of(pid: int) -> bytes:
    return Path(f"/proc/{pid}/cmdline").read_bytes()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split()[2] != "Z"  # a zombie has exited


def printed_token(env: dict[str, str], merchant: str) -> str:
    """What `shopwire token --merchant MERCHANT` prints last."""
    return subprocess.run(
        [sys.executable, "-m", "app.cli", "token", "--merchant", merchant],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()[-1]


def test_up_serves_runs_flows_and_stops_everything_on_ctrl_c(tmp_path, receiver):
    """Without --demo: no demo login and no token; the operator issues a token."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    env.update(
        SHOPWIRE_DATA_DIR=str(tmp_path / "instance"), SHOPWIRE_ALLOW_PRIVATE_NETWORKS="127.0.0.0/8"
    )
    token = printed_token(env, "acme")  # before `up`, into the database it will serve
    up = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "up", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, so the test can clean up after it
    )
    try:
        output = ""
        deadline = time.monotonic() + 60
        while "Press Ctrl-C" not in output and time.monotonic() < deadline:
            output += up.stdout.readline()
        assert f"http://127.0.0.1:{port}/signup" in output
        assert "demo@shopwire.local" not in output and "API token:" not in output
        base, headers = f"http://127.0.0.1:{port}", {"Authorization": f"Bearer {token}"}
        while time.monotonic() < deadline:
            try:
                requests.get(f"{base}/api/flows", headers=headers, timeout=10)
                break
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.1)

        graph = flow_document(
            {"id": "hook", "type": "core.webhook"},
            {
                "id": "send",
                "type": "core.http_request",
                "params": {"url": receiver.url("/in")},
                "mapping": {"body": "trigger"},
            },
        )
        flow = requests.post(
            f"{base}/api/flows", headers=headers, timeout=5, json={"name": "up", "graph": graph}
        ).json()
        hooks = requests.post(
            f"{base}/api/flows/{flow['id']}/activate", headers=headers, timeout=5
        ).json()["webhooks"]
        assert hooks[0]["url"].startswith(f"{base}/hooks/")
        assert requests.post(hooks[0]["url"], json={"n": 1}, timeout=5).status_code == 202
        assert receiver.wait_for(1, timeout=20)[0].json() == {"n": 1}
        kept = {p.name for p in (tmp_path / "instance").iterdir()}
        assert {"shopwire.db", "redis.sock", "secret_key"} <= kept  # all under the data dir

        started = children_of(up.pid)
        assert len(started) >= 4  # redis, granian, scheduler, worker
        worker = next(pid for pid in started if command_of(pid).endswith(b"app.cli\x00worker\x00"))
        os.kill(worker, signal.SIGKILL)  # a worker crashes: it is started again, alone
        line = ""
        while "worker" not in line or "starting it again" not in line:
            line = up.stdout.readline()
        assert "exited with code -9" in line
        assert requests.post(hooks[0]["url"], json={"n": 2}, timeout=5).status_code == 202
        assert receiver.wait_for(2, timeout=30)[1].json() == {"n": 2}
        started = children_of(up.pid)
        up.send_signal(signal.SIGINT)
        assert up.wait(20) == 0
        time.sleep(0.5)
        assert [pid for pid in started if alive(pid)] == []
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(up.pid, signal.SIGKILL)  # whatever is left of the group, if it failed


def test_token_creates_the_merchant_and_prints_a_working_token(app, client, app_config):
    env = dict(
        os.environ,
        SHOPWIRE_DATA_DIR=app_config["SHOPWIRE_DATA_DIR"],
        DATABASE_URL=app_config["SQLALCHEMY_DATABASE_URI"],
        REDIS_URL=app_config["REDIS_URL"],
    )
    token = printed_token(env, "newshop")
    assert token.startswith("sw_")
    reply = client.get("/api/flows", headers={"Authorization": f"Bearer {token}"})
    assert reply.status_code == 200 and reply.get_json() == {"flows": []}


def test_up_explains_a_port_that_is_already_taken(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
        env["SHOPWIRE_DATA_DIR"] = str(tmp_path / "instance")
        up = subprocess.run(
            [sys.executable, "-m", "app.cli", "up", "--port", str(port)],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert up.returncode != 0
    assert f"Port {port} is already in use" in up.stderr and "PORT=" in up.stderr
    assert not (tmp_path / "instance" / "redis.sock").exists()  # nothing was started


def processes_using(path) -> list[int]:
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        with contextlib.suppress(OSError):
            if str(path).encode() in cmdline.read_bytes():
                found.append(int(cmdline.parent.name))
    return found


def test_up_that_fails_while_starting_leaves_nothing_running(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    env.update(
        SHOPWIRE_DATA_DIR=str(tmp_path / "instance"),
        DATABASE_URL="postgresql://nobody@127.0.0.1:1/nothing",  # the migration fails
    )
    up = subprocess.run(
        [sys.executable, "-m", "app.cli", "up", "--port", str(free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert up.returncode != 0
    assert processes_using(tmp_path / "instance") == []  # the bundled redis-server stopped too


def test_the_migrations_build_the_schema_the_models_describe(app):
    """Otherwise the next `flask db migrate` would pick up differences nobody made."""
    checked = app.test_cli_runner().invoke(args=["db", "check"])
    assert checked.exit_code == 0, checked.output


def test_the_sqlite_database_is_readable_by_its_owner_only(tmp_path):
    from app import create_app
    from app.extensions import db

    app = create_app({"TESTING": True, "SHOPWIRE_DATA_DIR": str(tmp_path / "instance")})
    with app.app_context():
        migrate_database()
        db.session.execute(db.text("select 1"))
        db.engine.dispose()
    for name in ("instance", "instance/shopwire.db"):
        assert (tmp_path / name).stat().st_mode & 0o077 == 0, name
