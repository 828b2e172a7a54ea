"""Administrators: the statistics by sex (tables, charts, gender gaps, time to placement) for a
period and a filtered population, and their downloads. Every figure shown is suppressed, by the
same functions as the downloads, so the page and the files never disagree. Titles, labels and
definitions are translated here, for the page's language, as the downloads are by the service."""

from __future__ import annotations

from datetime import UTC, datetime
from tempfile import SpooledTemporaryFile
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from portal.errors import ValidationProblem
from portal.models import Role
from portal.reporting.charts import bar_chart_svg
from portal.reporting.disclosure import DEFAULT_K, describe_rule
from portal.reporting.indicators import DEFINITIONS, definition
from portal.reporting.labels import label
from portal.services import regions, statistics, statistics_export
from portal.services.translation import translate
from portal.web.security import roles_required
from portal.web.session import db_session
from portal.web.statistics.forms import StatisticsForm

blueprint = Blueprint("admin_statistics", __name__, url_prefix="/admin/statistics")
SPOOL_BYTES = 8 * 1024 * 1024
"""Exports are written to memory up to this size, then to a temporary file."""


@blueprint.get("")
@roles_required(Role.ADMIN)
def dashboard() -> ResponseReturnValue:
    form = _form()
    if request.args and not form.validate():
        return _render(form), 400
    try:
        found = statistics_export.figures(
            db_session(), by=[form.by.data], k=DEFAULT_K, period=form.period, filters=form.filters
        )
    except statistics.NoData:
        return _render(form, no_data=True)
    return _render(
        form,
        tables=[
            (t, bar_chart_svg(t, chart_id=f"chart-{t.name}", translate=translate))
            for t in found.tables
        ],
        gaps=found.gaps,
        measures=found.measures,
    )


@blueprint.get("/export.<file_format>")
@roles_required(Role.ADMIN)
def export(file_format: str) -> ResponseReturnValue:
    form = _form()
    if not form.validate():
        return _back_to_dashboard()
    try:
        wanted = statistics_export.export_request(
            file_format, [form.by.data], period=form.period, filters=form.filters
        )
    except ValidationProblem as problem:
        flash(problem.message, "error")
        return _back_to_dashboard()
    now = datetime.now(UTC)
    out = SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - send_file closes it
    try:
        statistics_export.write_export(db_session(), wanted, out, now=now)
    except statistics.NoData:
        out.close()
        flash(_("No data for this period: there is nothing to download."), "info")
        return _back_to_dashboard()
    out.seek(0)
    return send_file(
        out,
        mimetype=statistics_export.MEDIA_TYPES[file_format],
        as_attachment=True,
        download_name=statistics_export.file_name(wanted, now),
    )


def _back_to_dashboard() -> ResponseReturnValue:
    """The dashboard with the same filters, where the messages (errors, flashes) are shown."""
    filters: dict[str, Any] = request.args.to_dict()
    return redirect(url_for(".dashboard", **filters))


def _form() -> StatisticsForm:
    names = [region.name for region in regions.list_regions(db_session())]
    return StatisticsForm(request.args or None, regions=names)


def _word(word: str) -> str:
    """A table's identifier or row value as the page shows it (data stays as it is)."""
    return translate(label(word))


def _render(form: StatisticsForm, **page: Any) -> str:
    return render_template(
        "statistics/dashboard.html",
        form=form,
        definitions={name: translate(definition(name)) for name in DEFINITIONS},
        rule=translate(describe_rule(DEFAULT_K)),
        translate=translate,
        word=_word,
        formats=statistics_export.FORMATS,
        export_args={name: value for name, value in request.args.items() if value},
        **page,
    )
