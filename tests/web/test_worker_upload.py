"""The upload pages: check a file, import it, see and download the rejected rows, download the
template; only providers of a verified organisation upload."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import OrganisationKind, ProfileStatus, Role, User, Worker
from portal.services import regions
from portal.services.worker_import import COLUMNS, read_worker_file
from tests.conftest import Factory, WebClient
from tests.services.test_worker_import import csv_file, worker_row

URL = "/provider/workers/upload"


@pytest.fixture
def provider(session: Session, make: Factory, stored_taxonomy) -> User:
    regions.add_regions(session, ["North", "South"])
    return make.user(Role.PROVIDER)


def send(
    client: WebClient,
    data: bytes,
    *,
    action: str = "import",
    consent: bool = True,
    name: str = "workers.csv",
):
    form: dict[str, Any] = {"file": (io.BytesIO(data), name), "action": action}
    if consent:
        form["consent"] = "y"
    return client.post(URL, form, content_type="multipart/form-data")


def count_workers(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Worker))


def shown_count(page: str, what: str) -> int:
    match = re.search(rf'data-count="{what}">(\d+)<', page)
    assert match, f"no {what} count on the page"
    return int(match.group(1))


MIXED = csv_file(
    worker_row("W1"),
    worker_row("W2", birth_year="19x0"),
    worker_row("W3", given_name='=HYPERLINK("http://evil.example","click")'),
    worker_row("W4"),
)


def test_the_upload_page_has_the_form_the_columns_and_the_templates(
    client: WebClient, provider: User
) -> None:
    client.login(provider.email)
    page = client.get(URL).get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page
    assert "Check the file first (dry run)" in page and ">Import<" in page
    assert f"{URL}/template.csv" in page and f"{URL}/template.xlsx" in page
    assert all(f"<code>{column}</code>" in page for column in COLUMNS)


def test_a_dry_run_shows_what_would_happen_and_stores_nothing(
    client: WebClient, provider: User, session: Session
) -> None:
    client.login(provider.email)
    response = send(client, MIXED, action="check", consent=False)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "This was a check: nothing was stored." in page
    assert (shown_count(page, "created"), shown_count(page, "rejected")) == (2, 2)
    assert count_workers(session) == 0


def test_an_import_stores_the_good_rows_and_lists_the_bad_ones(
    client: WebClient, provider: User, session: Session
) -> None:
    client.login(provider.email)
    page = send(client, MIXED).get_data(as_text=True)
    assert (shown_count(page, "created"), shown_count(page, "rejected")) == (2, 2)
    assert "<td>3</td>" in page and "<code>birth_year</code>" in page
    assert "“19x0” is not a year; write four digits, like 1990." in page
    assert "looks like a spreadsheet formula" in page
    assert "&lt;" not in page.split("HYPERLINK")[0][-200:]  # the value is shown, escaped
    stored = session.scalars(select(Worker).order_by(Worker.external_id)).all()
    assert [worker.external_id for worker in stored] == ["W1", "W4"]
    assert {worker.status for worker in stored} == {ProfileStatus.ACTIVE}


def test_uploading_the_same_file_again_updates_and_duplicates_nothing(
    client: WebClient, provider: User, session: Session
) -> None:
    client.login(provider.email)
    send(client, MIXED)
    page = send(client, MIXED).get_data(as_text=True)
    assert (shown_count(page, "created"), shown_count(page, "unchanged")) == (0, 2)
    assert count_workers(session) == 2


def test_importing_needs_the_consent_confirmation(
    client: WebClient, provider: User, session: Session
) -> None:
    client.login(provider.email)
    response = send(client, MIXED, consent=False)
    assert response.status_code == 400
    assert 'id="consent-error"' in response.get_data(as_text=True)
    assert count_workers(session) == 0


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "", "Choose the CSV or XLSX file to upload."),
        (b"", "empty.csv", "The file is empty. Nothing was stored."),
        (b"id,name\r\n1,Ana\r\n", "w.csv", "Unknown columns: id, name."),
        ("external_id,given_name\r\nW1,Jörg\r\n".encode("latin-1"), "w.csv", "not in UTF-8"),
        (b"%PDF-1.4 ...", "w.pdf", "This is not a CSV or an XLSX file."),
    ],
)
def test_a_file_that_cannot_be_used_is_refused_on_the_form(
    client: WebClient, provider: User, session: Session, data: bytes, name: str, message: str
) -> None:
    client.login(provider.email)
    response = send(client, data, name=name)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page
    assert 'id="file-error"' in page
    assert count_workers(session) == 0


def test_a_file_over_the_upload_limit_is_refused_on_the_form(
    client: WebClient, provider: User, app: Flask
) -> None:
    client.login(provider.email)
    token = client.csrf_token(URL)
    app.config["MAX_CONTENT_LENGTH"] = 50_000
    response = client.client.post(
        URL,
        data={"csrf_token": token, "file": (io.BytesIO(b"x" * 60_000), "big.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert "The file is larger than" in response.get_data(as_text=True)


def test_the_error_report_lists_every_problem_safely_and_only_for_its_uploader(
    client: WebClient, provider: User, make: Factory, app: Flask
) -> None:
    client.login(provider.email)
    page = send(client, MIXED).get_data(as_text=True)
    link = re.search(r'href="(/provider/workers/upload/report/[^"]+\.csv)"', page).group(1)
    response = client.get(link)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    text = response.get_data().decode("utf-8-sig")
    assert text.splitlines()[0] == "line,column,value,problem"
    assert "3,birth_year,19x0," in text
    assert "4,given_name,\"'=HYPERLINK(" in text  # never a live formula
    other = WebClient(app.test_client())
    other.login(make.user(Role.PROVIDER).email)
    assert other.get(link).status_code == 404


def test_the_templates_download_and_read_back_as_one_good_row(
    client: WebClient, provider: User
) -> None:
    client.login(provider.email)
    csv_response = client.get(f"{URL}/template.csv")
    xlsx_response = client.get(f"{URL}/template.xlsx")
    assert csv_response.headers["Content-Type"].startswith("text/csv")
    assert "+40" in csv_response.get_data().decode("utf-8-sig")  # as "'+40 …", not a formula
    for response in (csv_response, xlsx_response):
        table = read_worker_file(response.get_data())
        assert table.header == COLUMNS
        [row] = table.rows
        assert (row["external_id"], row["phone"], row.problems) == ("W-0001", "+40 721 234 567", ())
    workbook = load_workbook(io.BytesIO(xlsx_response.get_data()))
    assert workbook.sheetnames == ["Workers", "Columns"]


def test_an_unverified_provider_is_told_why_and_cannot_upload(
    client: WebClient, make: Factory, session: Session, stored_taxonomy
) -> None:
    organisation = make.organisation(OrganisationKind.PROVIDER, verified=False)
    client.login(make.user(Role.PROVIDER, organisation=organisation).email)
    page = client.get(URL).get_data(as_text=True)
    assert "is not verified yet" in page
    assert 'type="file"' not in page
    token = client.csrf_token("/provider/")
    response = client.client.post(
        URL,
        data={
            "csrf_token": token,
            "file": (io.BytesIO(MIXED), "w.csv"),
            "consent": "y",
            "action": "import",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 403
    assert count_workers(session) == 0
    assert client.get(f"{URL}/template.csv").status_code == 200


def test_another_providers_external_ids_do_not_collide(
    client: WebClient, provider: User, make: Factory, session: Session, app: Flask
) -> None:
    client.login(provider.email)
    send(client, csv_file(worker_row("W1")))
    other = WebClient(app.test_client())
    other_user = make.user(Role.PROVIDER)
    other.login(other_user.email)
    page = send(other, csv_file(worker_row("W1", given_name="Olena"))).get_data(as_text=True)
    assert shown_count(page, "created") == 1
    names = dict(session.execute(select(Worker.provider_id, Worker.given_name)).all())
    assert names == {provider.organisation_id: "Ana", other_user.organisation_id: "Olena"}


@pytest.mark.parametrize("role", [Role.WORKER, Role.EMPLOYER, Role.ADMIN], ids=str)
def test_only_providers_may_post_a_file(
    client: WebClient, make: Factory, session: Session, stored_taxonomy, role: Role
) -> None:
    client.login(make.user(role).email)
    token = client.csrf_token("/account/password")
    response = client.client.post(
        URL,
        data={"csrf_token": token, "file": (io.BytesIO(MIXED), "w.csv"), "action": "import"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 403
    assert count_workers(session) == 0
