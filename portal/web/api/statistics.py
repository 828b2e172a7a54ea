"""Statistics through the API, for admins: exactly the JSON export (`portal stats export
--format json`, the dashboard's download), by the same function, so that the three can never
publish differently; small counts are withheld as they are there."""

from __future__ import annotations

import calendar
import io
from datetime import date

from flask import Response
from flask_babel import gettext as _

from portal.errors import ValidationProblem
from portal.models import Role
from portal.reporting.disclosure import DEFAULT_K, MIN_K
from portal.reporting.indicators import FILTER_DIMENSIONS
from portal.services import statistics, statistics_export
from portal.web.api.auth import token_required
from portal.web.api.blueprint import blueprint
from portal.web.api.errors import ApiError
from portal.web.api.input import Problems, Query
from portal.web.session import db_session

K_MAX = 1_000_000
BY_MAX = 100
FILTER_MAX = 100
FIELD_OF_PROBLEM = {"period": "to"}
"""The query parameter a refusal of `export_request` is about, where its name differs."""


@blueprint.get("/statistics")
@token_required(Role.ADMIN)
def statistics_document() -> Response:
    problems = Problems()
    query = Query(problems)
    by = query.text("by", max_length=BY_MAX)
    k = query.integer("k", minimum=MIN_K, maximum=K_MAX, default=DEFAULT_K)
    period = _period(query, problems)
    filters = {name: query.text(name, max_length=FILTER_MAX) for name in FILTER_DIMENSIONS}
    problems.raise_any()
    try:
        wanted = statistics_export.export_request("json", by, k=k, period=period, filters=filters)
    except ValidationProblem as problem:
        field = FIELD_OF_PROBLEM.get(problem.field, problem.field)
        raise ApiError(422, "invalid", problem.message, fields={field: [problem.message]}) from None
    out = io.BytesIO()
    try:
        statistics_export.write_export(db_session(), wanted, out)
    except statistics.NoData as nothing:
        raise ApiError(404, "no_data", nothing.message) from None
    return Response(out.getvalue(), mimetype="application/json")


def _period(query: Query, problems: Problems) -> tuple[date, date] | None:
    """From the first day of `from` to the last of `to` (months, YYYY-MM); neither: all time."""
    first, last = query.month("from"), query.month("to")
    if first is None and last is None:
        return None
    if first is None or last is None:
        missing = "to" if last is None else "from"
        if missing not in problems.fields:
            problems.add(missing, _("Enter both months, or neither for all time."))
        return None
    return first, last.replace(day=calendar.monthrange(last.year, last.month)[1])
