"""Statistics through the API: for admins, exactly the JSON export (the same function, so the
same suppression), on the hand-counted portal of tests/services/test_statistics.py."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy.orm import Session

from portal.models import Role
from portal.reporting.tables import SUPPRESSED_MARKER
from portal.services.statistics_export import export_request, write_export
from tests.conftest import Factory
from tests.services.test_statistics import MARCH, portal  # noqa: F401 - the fixture
from tests.web.api.conftest import ApiClient, error_of, token_for

STATISTICS = "/api/v1/statistics"
IN_MARCH = {"from": "2026-03", "to": "2026-03"}

pytestmark = pytest.mark.usefixtures("portal")


@pytest.fixture
def admin_token(session: Session, make: Factory) -> str:
    return token_for(session, make.user(Role.ADMIN))


def _without_time(document: dict) -> dict:
    document["metadata"].pop("generated_at")
    return document


def test_the_api_answers_the_json_export_itself(
    api: ApiClient, admin_token: str, session: Session
) -> None:
    response = api.get(STATISTICS, admin_token, query_string={"by": "region", "k": 5, **IN_MARCH})

    assert response.status_code == 200, response.get_data(as_text=True)
    out = io.BytesIO()
    write_export(session, export_request("json", "region", k=5, period=MARCH), out)
    assert _without_time(response.json) == _without_time(json.loads(out.getvalue()))


def test_small_counts_are_withheld(api: ApiClient, admin_token: str) -> None:
    body = api.get(STATISTICS, admin_token, query_string={"by": "region", **IN_MARCH}).json

    assert body["metadata"]["k"] == 10
    counts = {table["name"]: table for table in body["tables"]}["registered_by_region"]
    cells = [cell for line in counts["cells"] for cell in line]
    assert SUPPRESSED_MARKER in cells
    assert not any(isinstance(cell, int) and 0 < cell < 10 for cell in cells)


def test_the_words_follow_accept_language_and_the_keys_do_not(
    api: ApiClient, admin_token: str
) -> None:
    english = api.get(STATISTICS, admin_token, query_string=IN_MARCH).json
    french = api.get(
        STATISTICS, admin_token, query_string=IN_MARCH, headers={"Accept-Language": "fr"}
    ).json

    assert [t["name"] for t in french["tables"]] == [t["name"] for t in english["tables"]]
    assert french["tables"][0]["title"] != english["tables"][0]["title"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"by": "shoe_size"}, "by"),
        ({"k": 2}, "k"),
        ({"from": "2026-03"}, "to"),
        ({"from": "March", "to": "2026-04"}, "from"),
        ({"from": "2026-05", "to": "2026-04"}, "to"),
        ({"sector": "42"}, "sector"),
    ],
)
def test_a_query_names_the_parameter_it_refuses(
    api: ApiClient, admin_token: str, query: dict, field: str
) -> None:
    error = error_of(api.get(STATISTICS, admin_token, query_string=query), 422)

    assert list(error["fields"]) == [field]


def test_a_period_nobody_registered_in_is_404_no_data(api: ApiClient, admin_token: str) -> None:
    response = api.get(STATISTICS, admin_token, query_string={"from": "2001-01", "to": "2001-02"})

    assert error_of(response, 404)["code"] == "no_data"


@pytest.mark.parametrize("role", [Role.EMPLOYER, Role.PROVIDER], ids=str)
def test_only_admins_read_statistics(
    api: ApiClient, session: Session, make: Factory, role: Role
) -> None:
    response = api.get(STATISTICS, token_for(session, make.user(role)))

    assert error_of(response, 403)["code"] == "forbidden"
