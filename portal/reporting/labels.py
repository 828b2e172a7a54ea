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
        pN_("statistics table", "sector"),
        pN_("statistics table", "region"),
        pN_("statistics table", "origin"),
        pN_("statistics table", "age_band"),
        pN_("statistics table", "month"),
        pN_("statistics table", "period"),
        pN_("statistics table", "sex"),
        pN_("statistics table", "state"),
        pN_("statistics table", "stage"),
        pN_("statistics table", "measure"),
        # columns: sexes, vacancy states, the gender gap figures
        pN_("statistics table", "female"),
        pN_("statistics table", "male"),
        pN_("statistics table", "other"),
        pN_("statistics table", "not-stated"),
        pN_("statistics table", "open"),
        pN_("statistics table", "filled"),
        pN_("statistics table", "female registered"),
        pN_("statistics table", "female rate"),
        pN_("statistics table", "male registered"),
        pN_("statistics table", "male rate"),
        pN_("statistics table", "ratio"),
        pN_("statistics table", "gap"),
        # indicators, stages and measures
        pN_("statistics table", "registered"),
        pN_("statistics table", "with_skills"),
        pN_("statistics table", "recognised_qualifications"),
        pN_("statistics table", "matched"),
        pN_("statistics table", "offered"),
        pN_("statistics table", "placed"),
        pN_("statistics table", "placement_rate"),
        pN_("statistics table", "fee_reported"),
        pN_("statistics table", "days_to_placement"),
        pN_("statistics table", "placement_score"),
        pN_("statistics table", "vacancies"),
        pN_("statistics table", "positions"),
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
