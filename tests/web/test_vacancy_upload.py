"""The vacancy upload pages: check a file, import it, see and download the rejected rows, download
the template; only employers upload, each for their own organisation."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import OrganisationKind, Role, User, Vacancy, VacancyState
from portal.services import regions
from portal.services.vacancy_import import COLUMNS, read_vacancy_file
from tests.conftest import Factory, WebClient
from tests.services.test_vacancy_import import csv_file, vacancy_row

URL = "/employer/vacancies/upload"


@pytest.fixture
def employer(session: Session, make: Factory, stored_taxonomy) -> User:
    regions.add_regions(session, ["North", "South"])
    return make.user(Role.EMPLOYER)


def send(client: WebClient, data: bytes, *, action: str = "import", name: str = "jobs.csv"):
    form: dict[str, Any] = {"file": (io.BytesIO(data), name), "action": action}
    return client.post(URL, form, content_type="multipart/form-data")


def count_vacancies(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Vacancy))


def shown_count(page: str, what: str) -> int:
    match = re.search(rf'data-count="{what}">(\d+)<', page)
    assert match, f"no {what} count on the page"
    return int(match.group(1))


MIXED = csv_file(
    vacancy_row("V1"),
    vacancy_row("V2", positions="0"),
    vacancy_row("V3", no_fee_pledge="no"),
    vacancy_row("V4", pay_currency='=HYPERLINK("http://evil.example","click")'),
)


def test_the_vacancy_list_links_to_the_upload_page(client: WebClient, employer: User) -> None:
    client.login(employer.email)
    assert f'href="{URL}"' in client.get("/employer/vacancies").get_data(as_text=True)


def test_the_upload_page_has_the_form_the_columns_and_the_templates(
    client: WebClient, employer: User
) -> None:
    client.login(employer.email)
    page = client.get(URL).get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page
    assert "Check the file first (dry run)" in page and ">Import<" in page
    assert f"{URL}/template.csv" in page and f"{URL}/template.xlsx" in page
    assert all(f"<code>{column}</code>" in page for column in COLUMNS)


def test_a_dry_run_shows_what_would_happen_and_stores_nothing(
    client: WebClient, employer: User, session: Session
) -> None:
    client.login(employer.email)
    response = send(client, MIXED, action="check")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "This was a check: nothing was stored." in page
    assert [shown_count(page, what) for what in ("created", "opened", "drafts", "rejected")] == [
        2,
        1,
        1,
        2,
    ]
    assert count_vacancies(session) == 0


def test_an_import_stores_the_good_rows_and_lists_the_bad_ones_and_the_drafts(
    client: WebClient, employer: User, session: Session
) -> None:
    client.login(employer.email)
    page = send(client, MIXED).get_data(as_text=True)
    assert (shown_count(page, "created"), shown_count(page, "rejected")) == (2, 2)
    assert "<td>3</td>" in page and "<code>positions</code>" in page
    assert "Positions must be a whole number from 1 to 10,000." in page
    assert "looks like a spreadsheet formula" in page
    assert "Saved as a draft: no pledge." in page
    states = dict(session.execute(select(Vacancy.external_id, Vacancy.state)).all())
    assert states == {"V1": VacancyState.OPEN, "V3": VacancyState.DRAFT}


def test_uploading_the_same_file_again_updates_and_duplicates_nothing(
    client: WebClient, employer: User, session: Session
) -> None:
    client.login(employer.email)
    send(client, MIXED)
    page = send(client, MIXED).get_data(as_text=True)
    assert [shown_count(page, count) for count in ("created", "updated", "unchanged")] == [0, 0, 2]
    assert count_vacancies(session) == 2


def test_a_file_that_cannot_be_used_is_refused_on_the_form(
    client: WebClient, employer: User, session: Session
) -> None:
    client.login(employer.email)
    response = send(client, b"id,name\r\n1,Ana\r\n")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Unknown columns: id, name." in page and 'id="file-error"' in page
    assert count_vacancies(session) == 0


def test_the_error_report_lists_every_problem_safely_and_only_for_its_uploader(
    client: WebClient, employer: User, make: Factory, app: Flask
) -> None:
    client.login(employer.email)
    page = send(client, MIXED).get_data(as_text=True)
    link = re.search(rf'href="({URL}/report/[^"]+\.csv)"', page).group(1)
    response = client.get(link)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    text = response.get_data().decode("utf-8-sig")
    assert text.splitlines()[0] == "line,column,value,problem"
    assert "3,positions,0," in text
    assert "5,pay_currency,\"'=HYPERLINK(" in text  # never a live formula
    other = WebClient(app.test_client())
    other.login(make.user(Role.EMPLOYER).email)
    assert other.get(link).status_code == 404


def test_the_templates_download_and_read_back_as_one_good_row(
    client: WebClient, employer: User
) -> None:
    client.login(employer.email)
    csv_response = client.get(f"{URL}/template.csv")
    xlsx_response = client.get(f"{URL}/template.xlsx")
    assert csv_response.headers["Content-Type"].startswith("text/csv")
    for response in (csv_response, xlsx_response):
        table = read_vacancy_file(response.get_data())
        assert table.header == COLUMNS
        [row] = table.rows
        assert (row["external_id"], row["no_fee_pledge"], row.problems) == ("V-0001", "yes", ())
    workbook = load_workbook(io.BytesIO(xlsx_response.get_data()))
    assert workbook.sheetnames == ["Vacancies", "Columns"]


def test_an_unverified_employer_uploads_drafts(
    client: WebClient, make: Factory, session: Session, stored_taxonomy
) -> None:
    regions.add_regions(session, ["North"])
    organisation = make.organisation(OrganisationKind.EMPLOYER, verified=False)
    client.login(make.user(Role.EMPLOYER, organisation=organisation).email)
    assert "waiting for an administrator" in client.get(URL).get_data(as_text=True)
    page = send(client, csv_file(vacancy_row("V1"))).get_data(as_text=True)
    assert (shown_count(page, "opened"), shown_count(page, "drafts")) == (0, 1)
    assert session.scalar(select(Vacancy.state)) is VacancyState.DRAFT


def test_another_organisations_external_ids_do_not_collide(
    client: WebClient, employer: User, make: Factory, session: Session, app: Flask
) -> None:
    client.login(employer.email)
    send(client, csv_file(vacancy_row("V1")))
    other = WebClient(app.test_client())
    other_user = make.user(Role.EMPLOYER)
    other.login(other_user.email)
    page = send(other, csv_file(vacancy_row("V1", title="Pickers"))).get_data(as_text=True)
    assert shown_count(page, "created") == 1
    titles = dict(session.execute(select(Vacancy.organisation_id, Vacancy.title)).all())
    assert titles == {
        employer.organisation_id: "Forklift drivers, night shift",
        other_user.organisation_id: "Pickers",
    }


@pytest.mark.parametrize("role", [Role.WORKER, Role.PROVIDER, Role.ADMIN], ids=str)
def test_only_employers_may_post_a_file(
    client: WebClient, make: Factory, session: Session, stored_taxonomy, role: Role
) -> None:
    client.login(make.user(role).email)
    token = client.csrf_token("/account/password")
    response = client.client.post(
        URL,
        data={"csrf_token": token, "file": (io.BytesIO(MIXED), "v.csv"), "action": "import"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 403
    assert count_vacancies(session) == 0
