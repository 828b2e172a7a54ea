"""The page's language: chosen by the user (remembered on their account), else the browser's.

Order: a logged-in user's saved language, then the choice made in this browser session, then
the browser's Accept-Language among the portal's languages, then the default. API requests
(no cookie session there) follow their Accept-Language alone. The switcher in
every page's header posts to `/language`; the choice is kept in the session and, for a
logged-in user, on their account, so that their pages and mail follow them to any device.
"""

from __future__ import annotations

from typing import Any

from babel import Locale
from flask import (
    Blueprint,
    Flask,
    current_app,
    g,
    has_request_context,
    redirect,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import get_translations, refresh
from flask_login import current_user

from portal.services import accounts
from portal.web.api.errors import API_PREFIX
from portal.web.forms import EmptyForm
from portal.web.security import is_local_path
from portal.web.taxonomy.languages import page_language

RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur"})
SESSION_KEY = "language"

blueprint = Blueprint("language", __name__)


def languages() -> list[str]:
    return list(current_app.config["LANGUAGES"])


def select_locale() -> str | None:
    """The language of this request's pages; outside a request (CLI), the default."""
    if not has_request_context():
        return None
    offered = languages()
    if request.path.startswith(API_PREFIX):  # no cookie session there: the caller's header
        return request.accept_languages.best_match(offered) or offered[0]
    if current_user and current_user.is_authenticated:
        saved = current_user.user.language
        if saved in offered:
            return str(saved)
    chosen = session.get(SESSION_KEY)
    if chosen in offered:
        return str(chosen)
    return request.accept_languages.best_match(offered) or offered[0]


def native_name(code: str) -> str:
    """A language's name in itself ("Français", "العربية"), so anyone can find their own."""
    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


def _safe_back(target: str | None) -> str:
    """Back to the page the switcher was on; only a local path, never another site."""
    return target if is_local_path(target) else url_for("public.home")


@blueprint.post("/language")
def choose() -> ResponseReturnValue:
    """Switch the page language (CSRF-checked like every form); unknown codes are ignored."""
    form = EmptyForm()
    code = request.form.get("language", "")
    if form.validate_on_submit() and code in languages():
        session[SESSION_KEY] = code
        if current_user.is_authenticated:
            from portal.web.session import db_session

            accounts.set_language(db_session(), current_user.user, code)
        refresh()
    return redirect(_safe_back(request.form.get("next")), code=303)


_TRANSLATIONS_KEY = "portal_translations"


def _translations() -> Any:
    """The request's translations for the templates' `_()`, found once per locale.

    Flask-Babel keeps the catalogues in memory, but finding the request's locale and domain
    again for every message takes some thirty context look-ups (about 40 µs); a page of
    explained candidates says over a thousand messages. The result is kept beside Flask-Babel's
    own per-request state and used only while its locale and domain are the very same objects:
    `force_locale` (mail in the reader's language) and `refresh` replace the locale, so they
    are followed. Where that state is not found, Flask-Babel answers as before."""
    state = g.__dict__.get("_flask_babel") if g else None
    if state is not None:
        cached = state.__dict__.get(_TRANSLATIONS_KEY)
        locale = state.__dict__.get("babel_locale")
        if (
            cached is not None
            and locale is not None
            and cached[0] is locale
            and cached[1] is state.__dict__.get("babel_domain")
        ):
            return cached[2]
    translations = get_translations()
    state = g.__dict__.get("_flask_babel") if g else None
    if state is not None and state.__dict__.get("babel_locale") is not None:
        setattr(
            state,
            _TRANSLATIONS_KEY,
            (state.babel_locale, state.__dict__.get("babel_domain"), translations),
        )
    return translations


def init_i18n(app: Flask) -> None:
    app.register_blueprint(blueprint)
    # the same callables Flask-Babel installs, with the request's translations found once
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
        newstyle=True,
    )

    @app.context_processor
    def _page_language() -> dict[str, object]:
        language = page_language()
        return {
            "page_lang": language,
            "page_dir": "rtl" if language in RTL_LANGUAGES else "ltr",
            "language_choices": [(code, native_name(code)) for code in languages()],
            "host_language": current_app.config["HOST_LANGUAGE"],
        }
