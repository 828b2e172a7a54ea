"""The catalogue check CI relies on: complete catalogues, and no template text left unmarked."""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog

from portal import catalogues


def test_every_catalogue_translates_every_message_in_use() -> None:
    problems = list(catalogues.catalogue_problems())
    assert problems == [], (
        f"{len(problems)} problems; run `make translations`, translate, and see the first ones:\n"
        + "\n".join(problems[:40])
    )


def test_the_portal_ships_the_five_languages() -> None:
    assert catalogues.languages() == ["ar", "fr", "ru", "uk"]  # and English, the source


def test_no_template_text_is_left_unmarked() -> None:
    unmarked = list(catalogues.unmarked_template_text())
    assert unmarked == [], "\n".join(unmarked)


def _used(*messages: str | tuple[str, str]) -> dict[str, object]:
    template = Catalog()
    for message in messages:
        template.add(message, locations=[("templates/x.html", 1)])
    return {(m.id[0] if isinstance(m.id, tuple) else m.id): m for m in template if m.id}


def test_the_check_finds_missing_empty_fuzzy_stale_and_misformatted_translations() -> None:
    used = _used("Save", "Hello %(name)s", "Vacancies", "Missing", ("%(num)d day", "%(num)d days"))
    catalogue = Catalog(locale="fr")
    catalogue.add("Save", "Enregistrer")
    catalogue.add("Hello %(name)s", "Bonjour %(nom)s")
    catalogue.add("Vacancies", "Offres", flags=["fuzzy"])
    catalogue.add(("%(num)d day", "%(num)d days"), ("%(num)d jour", "", "%(num)d jours"))
    catalogue.add("Gone", "Parti")
    problems = list(catalogues.problems_of("fr", catalogue, used))  # type: ignore[arg-type]
    assert problems == [
        "fr: not in the catalogue (templates/x.html:1): 'Missing'",
        "fr: no longer used, remove it: 'Gone'",
        "fr: placeholders differ from the English in 'Hello %(name)s'",
        "fr: fuzzy: 'Vacancies'",
        "fr: not translated: '%(num)d day'",
    ]


def test_the_check_passes_a_complete_catalogue_with_reordered_placeholders() -> None:
    used = _used("%(a)s of %(b)s", ("one skill", "%(num)d skills"))
    catalogue = Catalog(locale="ar")
    catalogue.add("%(a)s of %(b)s", "%(b)s من %(a)s")
    catalogue.add(("one skill", "%(num)d skills"), ("a", "b", "c", "%(num)d d", "%(num)d e", "f"))
    assert list(catalogues.problems_of("ar", catalogue, used)) == []  # type: ignore[arg-type]


def test_the_check_finds_unmarked_text_and_attributes(tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "page.html").write_text(
        "{% extends 'base.html' %}{% block content %}\n"
        "<h1>{{ _('Marked') }}</h1>\n"
        "<p>Not marked {{ name }}</p>\n"
        '<img src="x.png" alt="A picture"><input type="submit" value="Send">\n'
        '<button name="action" value="check" aria-label="{{ _(\'Check\') }}">'
        '{{ _("Go") }}</button>\n'
        "<script>var words = 'not shown';</script><p>{{ when }} UTC</p><p>– 42 %</p>\n"
        "{# a comment #}{% endblock %}",
        encoding="utf-8",
    )
    assert list(catalogues.unmarked_template_text(folder)) == [
        "templates/page.html: 'Not marked'",
        "templates/page.html: 'A picture'",
        "templates/page.html: 'Send'",
    ]
