"""Connector discovery: the packages under nodes/ and the shopwire.connectors entry points,
an unavailable connector listed with its reason, connectors switched off by the operator, and
nodes/ importable without Flask, SQLAlchemy or the app."""

from __future__ import annotations

import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import nodes
from nodes.kit import registry

ROOT = Path(nodes.__file__).parent.parent


def fresh_python(code: str, path: Path | None = None) -> dict:
    """Run ``code`` in a new interpreter (printing JSON last) and answer what it printed."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(path or ""), str(ROOT)])))
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def test_every_module_of_nodes_imports_without_flask_sqlalchemy_or_the_app():
    modules = [m.name for m in pkgutil.walk_packages(nodes.__path__, "nodes.")]
    loaded = fresh_python(
        "import importlib, json, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "from nodes.kit import registry\n"
        "registry.load_builtins()\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    assert {"flask", "sqlalchemy", "app", "flask_sqlalchemy"}.isdisjoint(loaded)
    assert "nodes.stripe.fake" in modules and "nodes.engine.interpreter" in modules


def installed_package(tmp_path: Path) -> Path:
    """What ``pip install`` leaves: a module, and a dist-info naming its entry points."""
    (tmp_path / "acme_connector.py").write_text(
        "from nodes.kit.auth import Bearer\n"
        "from nodes.kit.base import Connector\n"
        "acme = Connector('acme', title={'en': 'Acme', 'de': 'Acme'},\n"
        "    description={'en': 'An outside connector', 'de': 'Ein externer Connector'},\n"
        "    base_url=lambda credential: 'https://api.acme.example', auth_type=Bearer('key'))\n"
    )
    info = tmp_path / "acme_connector-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-connector\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(
        "[shopwire.connectors]\nacme = acme_connector\nbroken = missing_sdk_connector\n"
    )
    return tmp_path


def test_an_installed_package_adds_a_connector_and_a_missing_one_is_unavailable(tmp_path):
    found = fresh_python(
        "import json\n"
        "from nodes.kit import registry\n"
        "print(json.dumps({'acme': registry.connector('acme') is not None,\n"
        "    'nodes': [n['key'] for n in registry.catalog() if n['connector'] == 'acme'],\n"
        "    'unavailable': registry.unavailable(),\n"
        "    'stripe': registry.connector('stripe') is not None}))",
        installed_package(tmp_path),
    )
    assert found["acme"] and found["stripe"]
    assert found["nodes"] == ["acme.api_call"]
    assert list(found["unavailable"]) == ["broken"]
    assert "missing_sdk_connector cannot be imported" in found["unavailable"]["broken"]


def test_a_disabled_connector_is_neither_listed_nor_found():
    try:
        registry.configure(disabled={"klarna"})
        assert registry.connector("klarna") is None
        assert not [n for n in registry.catalog() if n["connector"] == "klarna"]
        assert registry.versions("klarna.get_order") == []
        assert registry.connector_auth("klarna") is None
    finally:
        registry.configure()
    assert registry.connector("klarna") is not None


def test_the_app_passes_the_operators_setting(tmp_path):
    found = fresh_python(
        "import json\n"
        "from app import create_app\n"
        "from nodes.kit import registry\n"
        f"create_app({{'SHOPWIRE_DATA_DIR': {str(tmp_path)!r}, 'SECRET_KEY': 'k',\n"
        f"    'SQLALCHEMY_DATABASE_URI': 'sqlite:///{tmp_path}/db.sqlite',\n"
        "    'SHOPWIRE_CONNECTORS_DISABLED': 'paypal, mollie'})\n"
        "print(json.dumps([c.key for c in registry.connectors()]))"
    )
    assert "stripe" in found and not {"paypal", "mollie"} & set(found)
