"""API v1 as one blueprint: the modules whose routes join it, and how the app takes it in."""

from __future__ import annotations

from flask import Flask

from portal.extensions import csrf
from portal.web.api import matches, openapi, placements, statistics, vacancies, views, workers
from portal.web.api.blueprint import blueprint

ROUTE_MODULES = (views, workers, vacancies, matches, placements, statistics, openapi)
"""Imported for their routes: each adds its own to `blueprint`."""


def init_api(app: Flask) -> None:
    """Register the API. It reads no cookie session (a bearer token says who calls), so a
    forged cross-site request carries no rights and no CSRF token is needed."""
    csrf.exempt(blueprint)
    app.register_blueprint(blueprint)
