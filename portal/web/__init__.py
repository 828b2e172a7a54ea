"""The web layer: blueprints, the session per request, access rules, error pages, headers."""

from __future__ import annotations

from typing import Any

from flask import Flask, has_request_context
from flask_wtf.csrf import CSRFError
from werkzeug.routing import IntegerConverter, Map

from portal.extensions import babel, csrf, login_manager
from portal.models.base import ID_MAX
from portal.web import errors, i18n, security
from portal.web.session import close_db_session


class RowIdConverter(IntegerConverter):
    """`<int:…>` in a URL: a number no larger than an id can be, so that a huge one is "not
    found" rather than an error of the database (SQLite cannot even bind it)."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", ID_MAX)
        super().__init__(url_map, *args, **kwargs)


def init_web(app: Flask) -> None:
    app.url_map.converters["int"] = RowIdConverter  # before any route is added
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    i18n.install_template_gettext(app)
    login_manager.init_app(app)
    security.init_login(app)

    from portal.web.admin.audit import blueprint as admin_audit
    from portal.web.admin.learned import blueprint as admin_learned
    from portal.web.admin.moderation import blueprint as admin_moderation
    from portal.web.admin.regions import blueprint as admin_regions
    from portal.web.admin.unmapped import blueprint as admin_unmapped
    from portal.web.admin.views import blueprint as admin
    from portal.web.api.routes import init_api
    from portal.web.api.tokens import blueprint as api_tokens
    from portal.web.auth.views import blueprint as auth
    from portal.web.employer.uploads import blueprint as employer_uploads
    from portal.web.employer.views import blueprint as employer
    from portal.web.organisation.views import blueprint as organisation
    from portal.web.placements.admin import blueprint as admin_placements
    from portal.web.placements.notifications import blueprint as notifications
    from portal.web.placements.views import blueprint as placements
    from portal.web.provider.invites import blueprint as invites
    from portal.web.provider.uploads import blueprint as provider_uploads
    from portal.web.provider.views import blueprint as provider
    from portal.web.public.views import blueprint as public
    from portal.web.statistics.views import blueprint as admin_statistics
    from portal.web.taxonomy.views import blueprint as taxonomy
    from portal.web.vacancies.views import blueprint as vacancies
    from portal.web.worker.rights import blueprint as worker_rights
    from portal.web.worker.views import blueprint as worker

    for blueprint in (
        public,
        auth,
        worker,
        provider,
        invites,
        provider_uploads,
        employer,
        employer_uploads,
        admin,
        admin_learned,
        admin_moderation,
        admin_audit,
        admin_regions,
        admin_unmapped,
        worker_rights,
        organisation,
        taxonomy,
        vacancies,
        placements,
        admin_placements,
        admin_statistics,
        notifications,
        api_tokens,
    ):
        app.register_blueprint(blueprint)
    init_api(app)

    i18n.init_i18n(app)

    @app.context_processor
    def _unread_notifications() -> dict[str, int]:
        """The count beside "Notifications" in the header of every page."""
        from flask_login import current_user

        from portal.services.notifications import unread_count
        from portal.web.security import current_account
        from portal.web.session import db_session

        if not has_request_context() or not current_user or not current_user.is_authenticated:
            return {"unread_notifications": 0}
        return {"unread_notifications": unread_count(db_session(), current_account())}

    from portal.services.vacancies import state_label

    app.jinja_env.globals["vacancy_state_label"] = state_label

    @app.template_filter("language_name")
    def _language_name(code: str) -> str:
        """A language code as its name in the page's language."""
        from portal.services.reference import language_name

        return language_name(code, i18n.page_language())

    app.teardown_appcontext(close_db_session)
    app.after_request(security.add_security_headers)
    errors.register(app)
    app.register_error_handler(CSRFError, errors.csrf_error)
