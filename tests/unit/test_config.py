from pathlib import Path

import pytest

from portal import create_app
from portal.config import ConfigError

LONG_KEY = "k" * 40


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("PORTAL_SECRET_KEY", raising=False)
    monkeypatch.delenv("PORTAL_ENV", raising=False)
    with pytest.raises(ConfigError, match="PORTAL_SECRET_KEY"):
        create_app(instance_path=str(tmp_path))


def test_production_refuses_a_short_secret_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="shorter than 32"):
        create_app({"ENV": "production", "SECRET_KEY": "short"}, instance_path=str(tmp_path))


def test_development_keeps_a_generated_key_across_restarts(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("PORTAL_SECRET_KEY", raising=False)
    first = create_app({"ENV": "development"}, instance_path=str(tmp_path))
    second = create_app({"ENV": "development"}, instance_path=str(tmp_path))
    assert len(first.config["SECRET_KEY"]) >= 32
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_environment_variables_override_the_instance_file(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "portal.cfg").write_text(
        f"SECRET_KEY = {LONG_KEY!r}\nDATABASE_URL = 'sqlite:///from-file.db'\nPAGE_SIZE = 7\n"
    )
    monkeypatch.setenv("PORTAL_DATABASE_URL", "sqlite:///from-env.db")
    app = create_app(instance_path=str(tmp_path))
    assert app.config["DATABASE_URL"] == "sqlite:///from-env.db"
    assert app.config["PAGE_SIZE"] == 7
    assert app.config["SECRET_KEY"] == LONG_KEY


def test_the_default_database_is_sqlite_in_the_instance_folder(tmp_path: Path) -> None:
    app = create_app({"SECRET_KEY": LONG_KEY}, instance_path=str(tmp_path))
    assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'portal.sqlite3'}"


def test_production_cookies_are_secure_httponly_and_same_site(tmp_path: Path) -> None:
    app = create_app({"SECRET_KEY": LONG_KEY}, instance_path=str(tmp_path))
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["MAX_CONTENT_LENGTH"] is not None


def test_an_unknown_environment_name_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="PORTAL_ENV"):
        create_app({"ENV": "staging", "SECRET_KEY": LONG_KEY}, instance_path=str(tmp_path))


def test_a_database_url_of_another_kind_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="PORTAL_DATABASE_URL"):
        create_app(
            {"SECRET_KEY": LONG_KEY, "DATABASE_URL": "mysql://x"}, instance_path=str(tmp_path)
        )
