"""The core's messages in the reader's language: translated, then filled in; data left alone."""

from __future__ import annotations

from flask import Flask
from flask_babel import force_locale, gettext, ngettext

from portal.services.translation import number, translate, translate_sentences
from portal.text import Message, Number, lazy_ngettext

TOOK = "Took %(seconds)s seconds."  # in the catalogues already (the upload result page)


def test_without_an_application_the_english_is_filled_in() -> None:
    message = Message("“%(text)s” is not one of: %(options)s", {"text": "x", "options": "a, b"})

    assert translate(message) == "“x” is not one of: a, b"


def test_a_message_is_translated_then_filled_in_with_its_parameters(app: Flask) -> None:
    with app.app_context(), force_locale("uk"):
        expected = gettext(TOOK, seconds="1.5")
        assert expected != "Took 1.5 seconds."  # the Ukrainian catalogue has it

        assert translate(Message(TOOK, {"seconds": "1.5"})) == expected


def test_messages_given_as_parameters_are_translated_too(app: Flask) -> None:
    with app.app_context(), force_locale("uk"):
        total = gettext("total")
        assert total != "total"

        shown = translate(Message("%(word)s: %(count)s", {"word": Message("total"), "count": 3}))

    assert shown == f"{total}: 3"


def test_a_plural_message_takes_the_locales_form_for_its_number(app: Flask) -> None:
    singular, plural = "%(num)d row read", "%(num)d rows read"
    with app.app_context(), force_locale("uk"):
        forms = [ngettext(singular, plural, count) for count in (1, 3, 5)]
        assert len(set(forms)) == 3, forms  # Ukrainian has three forms; the catalogue has them

        assert [translate(lazy_ngettext(singular, plural, count)) for count in (1, 3, 5)] == forms


def test_text_that_is_already_a_str_is_never_looked_up(app: Flask) -> None:
    """A str is in the reader's language or is data (a region called "total" stays so)."""
    with app.app_context(), force_locale("uk"):
        assert translate("total") == "total"
        assert translate_sentences(["total", Message("total")]) == f"total {gettext('total')}"


def test_numbers_are_written_as_the_readers_language_writes_them(app: Flask) -> None:
    """A bare "10,000" reads as ten in French: grouping and decimal signs follow the locale."""
    big, rate = Number(12_500), Number(1.5, decimals=1)
    message = Message(TOOK, {"seconds": rate})

    assert (str(big), str(rate), translate(message)) == ("12,500", "1.5", "Took 1.5 seconds.")
    with app.app_context():
        with force_locale("fr"):
            assert (number(big), number(rate)) == ("12\u202f500", "1,5")
            assert "1,5" in translate(message)
        with force_locale("ru"):
            assert number(big) == "12\xa0500"


def test_every_word_of_a_table_is_found_in_each_catalogue(app: Flask) -> None:
    """The words carry a context: a marker the catalogues cannot see would leave them English."""
    from portal.reporting.labels import TABLE_WORDS, label

    with app.app_context():
        for language in ("fr", "ru", "uk", "ar"):
            with force_locale(language):
                untranslated = [word for word in TABLE_WORDS if translate(label(word)) == word]
            assert untranslated == [], language
