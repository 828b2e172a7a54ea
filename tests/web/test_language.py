"""The page language: the browser's at first, then the user's choice, kept on their account."""

from __future__ import annotations

import re

from flask import Flask, render_template_string
from flask_babel import force_locale, gettext, ngettext
from sqlalchemy.orm import Session

from portal.models import Role, User
from tests.conftest import PASSWORD, Factory, WebClient

HTML_TAG = re.compile(r'<html lang="([a-z]+)" dir="(ltr|rtl)">')


def _lang_dir(response) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    match = HTML_TAG.search(response.get_data(as_text=True))
    assert match, "no <html lang dir> on the page"
    return match.group(1), match.group(2)


def _in(app: Flask, language: str, message: str) -> str:
    """`message` as the catalogue of `language` has it (and not the English)."""
    with app.test_request_context(), force_locale(language):
        translated = gettext(message)
    assert translated != message, f"{message!r} is not translated into {language}"
    return translated


def test_first_visit_follows_the_browser(app: Flask, client: WebClient) -> None:
    assert _lang_dir(client.get("/")) == ("en", "ltr")
    ukrainian = client.get("/", headers={"Accept-Language": "uk-UA,uk;q=0.9,en;q=0.5"})
    assert _lang_dir(ukrainian) == ("uk", "ltr")
    assert _in(app, "uk", "Vacancies") in ukrainian.get_data(as_text=True)
    arabic = client.get("/", headers={"Accept-Language": "ar-SY"})
    assert _lang_dir(arabic) == ("ar", "rtl")
    assert _in(app, "ar", "Log in") in arabic.get_data(as_text=True)
    unknown = client.get("/", headers={"Accept-Language": "ja, de;q=0.5"})
    assert _lang_dir(unknown) == ("en", "ltr")


def test_every_page_offers_each_language_by_its_own_name(client: WebClient) -> None:
    page = client.get("/login").get_data(as_text=True)
    for code, name in [
        ("en", "English"),
        ("fr", "Français"),
        ("ru", "Русский"),
        ("uk", "Українська"),
        ("ar", "العربية"),
    ]:
        assert f'<option value="{code}" lang="{code}"' in page
        assert f">{name}</option>" in page


def test_the_choice_beats_the_browser_and_returns_to_the_page(
    app: Flask, client: WebClient
) -> None:
    response = client.post(
        "/language", {"language": "fr", "next": "/vacancies/?q=farm"}, page="/vacancies/"
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/vacancies/?q=farm"
    page = client.get("/", headers={"Accept-Language": "ar"})
    assert _lang_dir(page) == ("fr", "ltr")
    assert _in(app, "fr", "Register") in page.get_data(as_text=True)


def test_unknown_languages_and_other_sites_are_refused(client: WebClient) -> None:
    response = client.post("/language", {"language": "xx", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"
    assert _lang_dir(client.get("/")) == ("en", "ltr")
    response = client.post("/language", {"language": "ru", "next": "//evil.example/"})
    assert response.headers["Location"] == "/"
    assert _lang_dir(client.get("/")) == ("ru", "ltr")


def test_the_switch_needs_the_csrf_token(app: Flask) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    raw = app.test_client()
    response = raw.post("/language", data={"language": "ar"})
    assert _lang_dir(raw.get("/")) == ("en", "ltr"), response.status_code


def test_a_logged_in_choice_is_kept_on_the_account_for_every_device(
    app: Flask, client: WebClient, make: Factory, session: Session
) -> None:
    user = make.user(Role.WORKER)
    client.login(user.email)
    client.post("/language", {"language": "ar", "next": "/worker/"}, page="/worker/")
    session.refresh(user)
    assert user.language == "ar"
    other_device = WebClient(app.test_client())
    other_device.login(user.email)
    assert _lang_dir(other_device.get("/worker/", headers={"Accept-Language": "fr"})) == (
        "ar",
        "rtl",
    )


def test_a_choice_made_before_logging_in_becomes_the_accounts(
    client: WebClient, make: Factory, session: Session
) -> None:
    user = make.user(Role.EMPLOYER)
    client.post("/language", {"language": "uk", "next": "/login"}, page="/login")
    client.login(user.email)
    session.refresh(user)
    assert user.language == "uk"
    assert _lang_dir(client.get("/employer/")) == ("uk", "ltr")


def test_registration_keeps_the_language_the_pages_were_in(
    client: WebClient, session: Session
) -> None:
    client.post("/language", {"language": "ru", "next": "/register"}, page="/register")
    response = client.post(
        "/register",
        {
            "role": "worker",
            "full_name": "Олена Коваль",
            "email": "olena@example.org",
            "password": PASSWORD + " extra",
            "confirm": PASSWORD + " extra",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    user = session.query(User).filter_by(email="olena@example.org").one()
    assert user.language == "ru"


def test_a_vacancy_state_is_named_in_each_readers_language(app: Flask) -> None:
    """Labels are looked up per call, never cached in the first reader's language."""
    from portal.models import VacancyState
    from portal.services.vacancies import state_label

    with app.test_request_context():
        with force_locale("fr"):
            french = state_label(VacancyState.OPEN)
        with force_locale("uk"):
            ukrainian = state_label(VacancyState.OPEN)
        english = state_label(VacancyState.OPEN)
    assert english == "Open"
    assert len({french, ukrainian, english}) == 3


def test_templates_translate_in_the_locale_of_their_rendering(app: Flask) -> None:
    """Templates keep the catalogue of the moment they are rendered: a rendering inside
    `force_locale` (a mail in its reader's language) speaks that language, the page's next
    rendering the page's again, and one without Flask's variables (as a macro imported without
    context) too."""
    page = "{{ _('Vacancies') }} {{ ngettext('%(num)d token', '%(num)d tokens', 2) }}"
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        french = render_template_string(page)
        with force_locale("uk"):
            ukrainian = render_template_string(page)
        again = render_template_string(page)
        bare = app.jinja_env.from_string(page).render()
        with force_locale("ar"):
            bare_arabic = app.jinja_env.from_string(page).render()

    assert french == again == bare
    assert french.startswith(_in(app, "fr", "Vacancies") + " ")
    assert french.endswith(_plural(app, "fr", 2))
    assert ukrainian.startswith(_in(app, "uk", "Vacancies") + " ")
    assert ukrainian.endswith(_plural(app, "uk", 2))
    assert bare_arabic.startswith(_in(app, "ar", "Vacancies") + " ")


def _plural(app: Flask, language: str, num: int) -> str:
    with app.test_request_context(), force_locale(language):
        return ngettext("%(num)d token", "%(num)d tokens", num)
