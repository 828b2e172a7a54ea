"""The page's language: chosen by the user (remembered on their account), else the browser's.

Order: a logged-in user's saved language, then the choice made in this browser session, then
the browser's Accept-Language among the portal's languages, then the default. API requests
(no cookie session there) follow their Accept-Language alone. The switcher in
every page's header posts to `/language`; the choice is kept in the session and, for a
logged-in user, on their account, so that their pages and mail follow them to any device.
"""

from __future__ import annotations

from babel import Locale
from babel.support import NullTranslations
from flask import (
    Blueprint,
    Flask,
    current_app,
    has_request_context,
    redirect,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import get_translations, refresh
from flask_login import current_user
from jinja2 import pass_context
from jinja2.runtime import Context

from portal.services import accounts
from portal.web.api.errors import API_PREFIX
from portal.web.forms import EmptyForm
from portal.web.security import is_local_path
from portal.web.taxonomy.languages import page_language

RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur"})
SESSION_KEY = "language"

blueprint = Blueprint("language", __name__)


CATALOGUE = "_portal_catalogue"
"""The template variable holding the catalogue of the language the template is rendered in."""


def install_template_gettext(app: Flask) -> None:
    """Templates' `_()`, `ngettext()` and `pgettext()` as Flask-Babel's (newstyle: the same
    arguments and output), but on a catalogue looked up once per rendering (in the locale of
    that moment, `force_locale`'s included) and kept in the template's variables. Flask-Babel
    looks the locale and catalogue up again for every message, which made a third of the CPU
    of a page of explained candidates (1,100 messages). A template rendered without Flask's
    variables (a macro imported without context) looks the catalogue up each time."""
    app.context_processor(lambda: {CATALOGUE: get_translations()})
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=pass_context(lambda context, s: _catalogue(context).ugettext(s)),
        ngettext=pass_context(lambda context, s, p, n: _catalogue(context).ungettext(s, p, n)),
        newstyle=True,
        pgettext=pass_context(lambda context, c, s: _catalogue(context).upgettext(c, s)),
        npgettext=pass_context(
            lambda context, c, s, p, n: _catalogue(context).unpgettext(c, s, p, n)
        ),
    )


def _catalogue(context: Context) -> NullTranslations:
    found = context.get(CATALOGUE)
    return found if found is not None else get_translations()


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


def init_i18n(app: Flask) -> None:
    app.register_blueprint(blueprint)

    @app.context_processor
    def _page_language() -> dict[str, object]:
        language = page_language()
        return {
            "page_lang": language,
            "page_dir": "rtl" if language in RTL_LANGUAGES else "ltr",
            "language_choices": [(code, native_name(code)) for code in languages()],
            "host_language": current_app.config["HOST_LANGUAGE"],
        }
