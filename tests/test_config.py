"""Configuration: defaults, then the environment, then the test config."""

from app.config import allowed_private_networks, load


def test_environment_overrides_defaults_and_test_config_wins(monkeypatch, tmp_path):
    monkeypatch.setenv("SHOPWIRE_MAX_WEBHOOK_BYTES", "2048")
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db/shop")
    config = load({"SHOPWIRE_DATA_DIR": str(tmp_path)})
    assert config["SHOPWIRE_MAX_WEBHOOK_BYTES"] == 2048
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db/shop"
    assert load({"SHOPWIRE_MAX_WEBHOOK_BYTES": 7})["SHOPWIRE_MAX_WEBHOOK_BYTES"] == 7


def test_sqlite_lives_in_the_data_dir_and_https_makes_cookies_secure(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    config = load({"SHOPWIRE_DATA_DIR": str(tmp_path)})
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'shopwire.db'}"
    assert config["SESSION_COOKIE_SECURE"] is False
    secure = load({"SHOPWIRE_DATA_DIR": str(tmp_path), "SHOPWIRE_PUBLIC_URL": "https://sw.example"})
    assert secure["SESSION_COOKIE_SECURE"] is True


def test_private_networks_setting():
    assert allowed_private_networks("") is False
    assert allowed_private_networks("true") is True
    assert allowed_private_networks("10.0.0.0/8, 192.168.0.0/16") == [
        "10.0.0.0/8",
        "192.168.0.0/16",
    ]
