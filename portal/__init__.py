"""The skills-matching portal. `create_app` builds the Flask application."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask

from portal.config import load_config
from portal.db import Database
from portal.services.passwords import configure_hashing

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict[str, Any] | None = None, instance_path: str | None = None) -> Flask:
    """Build the app: settings, database, extensions, pages, error pages, in that order."""
    instance_path = (
        instance_path or os.environ.get("PORTAL_INSTANCE_PATH") or str(REPOSITORY_ROOT / "instance")
    )
    app = Flask(
        __name__,
        template_folder=str(REPOSITORY_ROOT / "templates"),
        instance_path=instance_path,
    )
    load_config(app.config, Path(app.instance_path), config)
    configure_hashing(
        app.config["PASSWORD_HASH_TIME_COST"],
        app.config["PASSWORD_HASH_MEMORY_KIB"],
        app.config["PASSWORD_HASH_PARALLELISM"],
    )
    app.extensions["portal.db"] = Database(
        app.config["DATABASE_URL"], echo=app.config["DATABASE_ECHO"]
    )

    from portal.cli import register_commands
    from portal.web import init_web

    init_web(app)
    register_commands(app)
    return app
