"""What a reader sees for the words a published table is made of, in their language.

Tables keep English identifiers for their dimensions, columns and stages ("age_band",
"not-stated", "with_skills") and English words for some row values ("not stated", the ISCO-08
sectors); exports and pages have shown them as they are. Each is marked here for the
catalogues, so `label` can hand it over as a Message to translate, while data (region names,
country codes, age bands, months) is left as it is and never becomes a msgid.
"""

from __future__ import annotations

from portal.reporting.indicators import ISCO_MAJOR_GROUPS, NOT_STATED
from portal.reporting.tables import TOTAL_LABEL
from portal.text import Message, Text, pN_

CONTEXT = "statistics table"

TABLE_WORDS = frozenset(
    {
        # what rows and columns are (dimensions, and the filter on the period)
        pN_(CONTEXT, "sector"),
        pN_(CONTEXT, "region"),
        pN_(CONTEXT, "origin"),
        pN_(CONTEXT, "age_band"),
        pN_(CONTEXT, "month"),
        pN_(CONTEXT, "period"),
        pN_(CONTEXT, "sex"),
        pN_(CONTEXT, "state"),
        pN_(CONTEXT, "stage"),
        pN_(CONTEXT, "measure"),
        # columns: sexes, vacancy states, the gender gap figures
        pN_(CONTEXT, "female"),
        pN_(CONTEXT, "male"),
        pN_(CONTEXT, "other"),
        pN_(CONTEXT, "not-stated"),
        pN_(CONTEXT, "open"),
        pN_(CONTEXT, "filled"),
        pN_(CONTEXT, "female registered"),
        pN_(CONTEXT, "female rate"),
        pN_(CONTEXT, "male registered"),
        pN_(CONTEXT, "male rate"),
        pN_(CONTEXT, "ratio"),
        pN_(CONTEXT, "gap"),
        # indicators, stages and measures
        pN_(CONTEXT, "registered"),
        pN_(CONTEXT, "with_skills"),
        pN_(CONTEXT, "recognised_qualifications"),
        pN_(CONTEXT, "matched"),
        pN_(CONTEXT, "offered"),
        pN_(CONTEXT, "placed"),
        pN_(CONTEXT, "placement_rate"),
        pN_(CONTEXT, "fee_reported"),
        pN_(CONTEXT, "days_to_placement"),
        pN_(CONTEXT, "placement_score"),
        pN_(CONTEXT, "vacancies"),
        pN_(CONTEXT, "positions"),
    }
)
"""The words a table is made of (dimensions, columns, stages): marked with a context, since
some ("offered", "open") have another meaning elsewhere in the portal."""

ROW_WORDS = frozenset({TOTAL_LABEL, NOT_STATED, *ISCO_MAJOR_GROUPS.values()})
"""Row values that are English words (marked where they are defined) rather than data."""


def label(word: str) -> Text:
    """`word` as a reader should see it: a Message to translate when it is one of ours, the
    word itself when it is data."""
    if word in TABLE_WORDS:
        return Message(word, context=CONTEXT)
    return Message(word) if word in ROW_WORDS else word
