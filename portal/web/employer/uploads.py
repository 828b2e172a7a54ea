"""An employer uploads a spreadsheet of vacancies: check it first (a dry run), import it, see what
happened, download the rejected rows as an error report, or the template to start from.

Any employer with an organisation may upload; before the organisation is verified, the vacancies
are saved as drafts (the result says so, row by row).
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired
from werkzeug.exceptions import RequestEntityTooLarge

from portal.imports.tabular import MAX_ROWS, TableProblem
from portal.models import Role
from portal.services import vacancy_import
from portal.services.translation import translate_sentences
from portal.web import errors
from portal.web.forms import PortalForm
from portal.web.security import current_account, roles_required
from portal.web.session import db_session
from portal.web.taxonomy.languages import page_language
from portal.web.upload_files import (
    XLSX_TYPE,
    keep_report,
    send_report,
    send_template,
    too_large_message,
)

blueprint = Blueprint("employer_uploads", __name__, url_prefix="/employer/vacancies/upload")

PROBLEMS_SHOWN = 100  # on the result page; the error report has them all


class UploadForm(PortalForm):
    file = FileField(
        _l("Spreadsheet of vacancies"),
        validators=[FileRequired(_l("Choose the CSV or XLSX file to upload."))],
        description=_l("CSV (UTF-8, comma or semicolon) or XLSX; the first sheet is read."),
        render_kw={"accept": ".csv,.xlsx,text/csv," + XLSX_TYPE},
    )


def _form_page(form: UploadForm, status: int = 200) -> ResponseReturnValue:
    account = current_account()
    return (
        render_template(
            "employer/upload.html",
            form=form,
            organisation=account.organisation,
            columns=vacancy_import.column_help(),
            max_rows=MAX_ROWS,
            max_megabytes=current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024),
        ),
        status,
    )


@blueprint.get("")
@roles_required(Role.EMPLOYER)
def form() -> ResponseReturnValue:
    return _form_page(UploadForm())


@blueprint.post("")
@roles_required(Role.EMPLOYER)
def upload() -> ResponseReturnValue:
    account = current_account()
    organisation = account.organisation
    form = UploadForm()
    if organisation is None:
        return _form_page(form, 403)
    if not form.validate_on_submit():
        return _form_page(form, 400)
    try:
        table = vacancy_import.read_vacancy_file(
            form.file.data.read(), max_bytes=current_app.config["MAX_CONTENT_LENGTH"]
        )
    except TableProblem as problem:
        form.file.errors = [f"{translate_sentences(problem.sentences)} {_('Nothing was stored.')}"]
        return _form_page(form, 400)
    report = vacancy_import.import_vacancies(
        db_session(),
        account,
        organisation,
        table.rows,
        dry_run=request.form.get("action") != "import",
        lang=page_language(),
    )
    return render_template(
        "employer/upload_result.html",
        report=report,
        file_name=Path(form.file.data.filename or "").name,
        shown=report.problems[:PROBLEMS_SHOWN],
        notes=report.notes[:PROBLEMS_SHOWN],
        report_token=keep_report(account, report.problems),
        form=UploadForm(formdata=None),
    )


@blueprint.errorhandler(RequestEntityTooLarge)
def too_large(_error: RequestEntityTooLarge) -> ResponseReturnValue:
    """A file over the upload limit is refused on the form, not on a bare error page."""
    if not current_user.is_authenticated or current_user.role is not Role.EMPLOYER:
        return errors.render_error(413)
    form = UploadForm(formdata=None)
    form.file.errors = [too_large_message()]
    return _form_page(form, 413)


@blueprint.get("/report/<token>.csv")
@roles_required(Role.EMPLOYER)
def error_report(token: str) -> ResponseReturnValue:
    return send_report(current_account(), token, "rejected-vacancies.csv")


@blueprint.get("/template.<any(csv, xlsx):file_format>")
@roles_required(Role.EMPLOYER)
def template(file_format: str) -> ResponseReturnValue:
    header, rows = vacancy_import.template_rows()
    return send_template(
        file_format,
        header,
        rows,
        sheet_title=_("Vacancies"),
        notes=vacancy_import.column_help(),
        download_name="vacancies-template",
    )
