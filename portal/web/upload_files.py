"""The files around an upload page: the error report of the last upload, kept for an hour in
the instance folder and readable only by the user who uploaded, and the templates to start from.

Shared by the worker and the vacancy upload pages.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Iterable, Sequence
from io import BytesIO
from pathlib import Path

from flask import abort, current_app, send_file
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from portal.imports.report import csv_bytes, problems_csv, xlsx_bytes
from portal.imports.tabular import RowProblem
from portal.models import User
from portal.services.translation import translate

REPORT_TTL_SECONDS = 3600
REPORTS_FOLDER = "upload-reports"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")


def _reports_folder() -> Path:
    return Path(current_app.instance_path) / REPORTS_FOLDER


def _report_path(account: User, token: str) -> Path | None:
    if not _TOKEN.fullmatch(token):
        return None
    return _reports_folder() / f"{account.id}-{token}.csv"


def _expired(path: Path) -> bool:
    return path.stat().st_mtime < time.time() - REPORT_TTL_SECONDS


def keep_report(account: User, problems: Sequence[RowProblem]) -> str | None:
    """Write the error report where only `account` can fetch it (by the token returned);
    forget expired ones. None when there is nothing to report."""
    if not problems:
        return None
    folder = _reports_folder()
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.csv"):
        if _expired(old):
            old.unlink(missing_ok=True)
    token = secrets.token_urlsafe(24)  # 32 characters, as _TOKEN expects
    path = folder / f"{account.id}-{token}.csv"
    path.write_bytes(problems_csv(problems, translate=translate))
    path.chmod(0o600)
    return token


def send_report(account: User, token: str, download_name: str) -> ResponseReturnValue:
    """The kept error report, to its uploader only; 404 for anyone else or once expired."""
    path = _report_path(account, token)
    if path is None or not path.is_file() or _expired(path):
        abort(404)
    return send_file(
        BytesIO(path.read_bytes()),
        mimetype="text/csv",
        as_attachment=True,
        download_name=download_name,
    )


def send_template(
    file_format: str,
    header: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    sheet_title: str,
    notes: Sequence[tuple[str, str]],
    download_name: str,
) -> ResponseReturnValue:
    """An upload template as CSV or as XLSX (with a second sheet explaining the columns).
    The column names stay as they are in every language: the importer reads them."""
    if file_format == "xlsx":
        data = xlsx_bytes(header, rows, sheet_title=sheet_title, notes=notes, translate=translate)
        mimetype = XLSX_TYPE
    else:
        data = csv_bytes(header, rows)
        mimetype = "text/csv"
    return send_file(
        BytesIO(data),
        mimetype=mimetype,
        as_attachment=True,
        download_name=f"{download_name}.{file_format}",
    )


def too_large_message() -> str:
    """What the upload form says when a file is over the size limit."""
    return _(
        "The file is larger than %(max)d MB. Split it into smaller files. Nothing was stored.",
        max=current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024),
    )
