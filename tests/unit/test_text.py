"""Messages of the pure core: English when shown as they are, their parameters kept apart."""

from __future__ import annotations

from portal.text import N_, Message, lazy_ngettext


def test_a_message_shows_its_english_with_the_parameters_filled_in() -> None:
    message = Message(N_("“%(text)s” is not a whole number"), {"text": "19x0"})

    assert str(message) == "“19x0” is not a whole number"
    assert message.template == "“%(text)s” is not a whole number"  # the msgid, untouched


def test_a_message_inside_a_message_is_shown_in_english_too() -> None:
    column = Message(N_("column %(name)s"), {"name": "E"})

    message = Message(N_("Line %(line)s, %(column)s: too long"), {"line": 3, "column": column})

    assert str(message) == "Line 3, column E: too long"


def test_a_message_without_parameters_is_not_formatted_as_gettext_would_not() -> None:
    assert str(Message("100% sure")) == "100% sure"


def test_a_plural_message_takes_the_form_its_number_asks_for() -> None:
    def rows(count: int) -> Message:
        return lazy_ngettext("%(num)d row in %(file)s", "%(num)d rows in %(file)s", count, file="a")

    assert [str(rows(count)) for count in (0, 1, 2)] == ["0 rows in a", "1 row in a", "2 rows in a"]
    assert rows(2).params == {"file": "a", "num": 2}
