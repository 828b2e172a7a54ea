"""Settings: defaults, then the instance file, then `PORTAL_*` environment variables.

Production is the default environment, so a forgotten setting fails closed: the portal refuses
to start without a secret key, and cookies are `Secure`.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Config

INSTANCE_FILE = "portal.cfg"
ENVIRONMENTS = ("production", "development", "testing")
SHIPPED_LANGUAGES = ("en", "fr", "ru", "uk", "ar")
"""English and the languages portal/translations has catalogues for."""

DEFAULTS: dict[str, Any] = {
    "ENV": "production",
    "DATABASE_URL": None,  # default: SQLite in the instance folder
    "DATABASE_ECHO": False,
    "SECRET_KEY": None,
    "SESSION_COOKIE_NAME": "portal_session",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": True,
    "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
    "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
    "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
    # the languages pages are offered in (each must have a catalogue), the first the fallback
    "LANGUAGES": ["en", "fr", "ru", "uk", "ar"],
    # the host country's language, shown beside the worker's on the skill confirmation step
    "HOST_LANGUAGE": "en",
    "BABEL_DEFAULT_LOCALE": "en",
    "BABEL_DEFAULT_TIMEZONE": "UTC",
    "LOGIN_FAILURES_PER_ACCOUNT": 5,
    "LOGIN_FAILURES_PER_IP": 30,
    "LOGIN_FAILURE_WINDOW_MINUTES": 15,
    "PASSWORD_RESET_TTL_MINUTES": 60,
    "MAIL_SERVER": None,  # no server: messages are written to the log and kept in the outbox
    "MAIL_PORT": 587,
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_USE_TLS": True,
    "MAIL_FROM": "portal@localhost",
    "PAGE_SIZE": 25,
    # seconds the statistics dashboard shows figures as last computed before counting again
    # (`portal stats refresh` from a scheduler keeps them fresh; 0 counts on every visit)
    "STATISTICS_MAX_AGE": 600,
    # the admin's "run matching" button works in a thread; the tests' shared connection cannot
    "MATCHING_IN_BACKGROUND": True,
    # argon2id cost; lower it only for test suites
    "PASSWORD_HASH_TIME_COST": 3,
    "PASSWORD_HASH_MEMORY_KIB": 65_536,
    "PASSWORD_HASH_PARALLELISM": 4,
}


class ConfigError(RuntimeError):
    """A setting is missing or wrong: the message says which and how to fix it."""


def load_config(config: Config, instance_path: Path, overrides: dict[str, Any] | None) -> None:
    """Fill `config` in order: defaults, instance file, environment, explicit overrides."""
    config.from_mapping(DEFAULTS)
    config.from_pyfile(str(instance_path / INSTANCE_FILE), silent=True)
    config.from_prefixed_env("PORTAL")
    if overrides:
        config.from_mapping(overrides)
    _derive(config, instance_path)
    _validate(config)


def _derive(config: Config, instance_path: Path) -> None:
    if not config["DATABASE_URL"]:
        config["DATABASE_URL"] = f"sqlite:///{instance_path / 'portal.sqlite3'}"
    if config["ENV"] in ("development", "testing"):
        config["SESSION_COOKIE_SECURE"] = False
        if not config["SECRET_KEY"]:
            config["SECRET_KEY"] = _development_secret(instance_path)


def _development_secret(instance_path: Path) -> str:
    """A random key kept in the instance folder, so sessions survive a restart."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    key_file.write_text(key)
    os.chmod(key_file, 0o600)
    return key


def _validate(config: Config) -> None:
    if config["ENV"] not in ENVIRONMENTS:
        raise ConfigError(
            f"PORTAL_ENV is {config['ENV']!r}; use one of: {', '.join(ENVIRONMENTS)}."
        )
    key = config["SECRET_KEY"]
    if not isinstance(key, str) or len(key) < 32:
        raise ConfigError(
            "PORTAL_SECRET_KEY is missing or shorter than 32 characters. In production set "
            "it, e.g. PORTAL_SECRET_KEY=$(python3 -c 'import secrets; "
            "print(secrets.token_urlsafe(48))'), or set PORTAL_ENV=development on a "
            "developer's machine."
        )
    languages = config["LANGUAGES"]
    if not languages or any(code not in SHIPPED_LANGUAGES for code in languages):
        raise ConfigError(
            f"PORTAL_LANGUAGES is {languages!r}; use codes among {', '.join(SHIPPED_LANGUAGES)}, "
            'e.g. PORTAL_LANGUAGES=\'["en", "fr"]\'.'
        )
    for setting in ("HOST_LANGUAGE", "BABEL_DEFAULT_LOCALE"):
        if config[setting] not in languages:
            raise ConfigError(f"PORTAL_{setting} must be one of PORTAL_LANGUAGES ({languages}).")
    if not str(config["DATABASE_URL"]).startswith(("sqlite", "postgresql")):
        raise ConfigError("PORTAL_DATABASE_URL must be a sqlite:/// or postgresql+psycopg:// URL.")
