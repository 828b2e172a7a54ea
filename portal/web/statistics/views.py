"""Administrators: the statistics by sex (tables, charts, gender gaps, time to placement) for a
period and a filtered population, and their downloads. Every figure shown is suppressed, by the
same functions as the downloads. The page shows each view's figures as last computed (at most
PORTAL_STATISTICS_MAX_AGE seconds old, and says when), the downloads count when asked; the
"count again" button brings the page up to date. Titles, labels and definitions are translated
here, for the page's language, as the downloads are by the service."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import cache
from tempfile import SpooledTemporaryFile
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import format_datetime, ngettext
from flask_babel import gettext as _
from markupsafe import Markup

from portal.errors import ValidationProblem
from portal.models import Role
from portal.reporting.charts import bar_chart_svg
from portal.reporting.disclosure import DEFAULT_K, describe_rule
from portal.reporting.indicators import DEFINITIONS, definition
from portal.reporting.labels import label
from portal.reporting.tables import SUPPRESSED_MARKER, Cell
from portal.services import regions, statistics, statistics_export, statistics_snapshots
from portal.services.translation import number, translate
from portal.text import Number, Translate
from portal.web.forms import EmptyForm
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
    max_age = timedelta(seconds=current_app.config["STATISTICS_MAX_AGE"])
    return _render_snapshot(form, _snapshot(form, max_age))


@blueprint.post("/recount")
@roles_required(Role.ADMIN)
def recount() -> ResponseReturnValue:
    """Count the view again now (the filters come in the query string, as on the page)."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    form = _form()
    if not form.validate():
        return _back_to_dashboard()
    _snapshot(form, timedelta(0))
    flash(_("The statistics were counted again."), "success")
    return _back_to_dashboard()


def _snapshot(form: StatisticsForm, max_age: timedelta) -> statistics_snapshots.Snapshot:
    return statistics_snapshots.dashboard_figures(
        db_session(),
        by=form.by.data,
        k=DEFAULT_K,
        period=form.period,
        filters=form.filters,
        max_age=max_age,
    )


def _render_snapshot(form: StatisticsForm, snapshot: statistics_snapshots.Snapshot) -> str:
    found = snapshot.figures
    if found is None:
        return _render(form, no_data=True, snapshot=snapshot, counted=_counted(snapshot))
    words = cache(translate)  # this request's language; the same labels recur in every table
    return _render(
        form,
        words,
        snapshot=snapshot,
        counted=_counted(snapshot),
        tables=[
            (t, bar_chart_svg(t, chart_id=f"chart-{t.name}", translate=words)) for t in found.tables
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


def _counted(snapshot: statistics_snapshots.Snapshot) -> str:
    """When the figures shown were counted, and when the page counts again by itself."""
    counted = _(
        "Counted %(when)s (counting took %(seconds)s s).",
        when=format_datetime(snapshot.computed_at, "medium"),
        seconds=number(Number(snapshot.seconds, 1)),
    )
    max_age = current_app.config["STATISTICS_MAX_AGE"]
    if max_age <= 0:
        return counted
    minutes = max(1, round(max_age / 60))
    return " ".join(
        (
            counted,
            ngettext(
                "The page counts again once they are more than %(num)d minute old.",
                "The page counts again once they are more than %(num)d minutes old.",
                minutes,
            ),
        )
    )


def _back_to_dashboard() -> ResponseReturnValue:
    """The dashboard with the same filters, where the messages (errors, flashes) are shown."""
    filters: dict[str, Any] = request.args.to_dict()
    return redirect(url_for(".dashboard", **filters))


def _form() -> StatisticsForm:
    names = [region.name for region in regions.list_regions(db_session())]
    return StatisticsForm(request.args or None, regions=names)


def _figure_writer() -> Callable[..., str | Markup]:
    """How the page writes a cell: a dash where the figure does not exist, the marker (with
    its meaning) where it is withheld, else the number (`digits` after the point, or two for
    a fraction). A function, not a template macro: a page writes a thousand of them."""
    withheld = Markup('<abbr title="%s">%s</abbr>') % (
        _("withheld to protect small numbers"),
        SUPPRESSED_MARKER,
    )

    def figure(cell: Cell, digits: int | None = None) -> str | Markup:
        if cell.shown() == "":
            return "–"
        if cell.value is None:
            return withheld
        value = cell.value
        if digits is not None:
            return f"{value:.{digits}f}"
        if isinstance(value, float) and not value.is_integer():
            return f"{value:.2f}"
        return str(int(value))

    return figure


def _render(form: StatisticsForm, words: Translate = translate, **page: Any) -> str:
    """The page; `words` translates (a table's identifiers and row values through `label`:
    the data stays as it is)."""
    return render_template(
        "statistics/dashboard.html",
        form=form,
        definitions={name: words(definition(name)) for name in DEFINITIONS},
        rule=words(describe_rule(DEFAULT_K)),
        translate=words,
        word=lambda word: words(label(word)),
        formats=statistics_export.FORMATS,
        export_args={name: value for name, value in request.args.items() if value},
        recount_form=EmptyForm(),
        figure=_figure_writer(),
        **page,
    )
