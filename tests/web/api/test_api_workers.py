"""Workers through the API: a provider's own, an admin's all, never an employer's; one in full;
registering one for a provider; pages of the list."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import AuditAction, AuditEvent, OrganisationKind, Role, Worker
from tests.conftest import Factory
from tests.market import active_worker
from tests.web.api.conftest import ApiClient, Market, error_of, token_for

WORKERS = "/api/v1/workers"
NEW_WORKER = {
    "given_name": "Maria",
    "family_name": "Ionescu",
    "phone": "+40 721 000 000",
    "sex": "female",
    "birth_year": 1991,
    "country_of_origin": "RO",
    "languages": [{"code": "ro", "level": "native"}, {"code": "en", "level": "B1"}],
}


def test_a_provider_lists_only_its_own_workers(api: ApiClient, market: Market) -> None:
    body = api.get(WORKERS, market.mine.provider_token).json

    assert [item["id"] for item in body["items"]] == [market.mine.worker.id]
    assert (body["page"], body["total"]) == (1, 1)


def test_an_admin_lists_every_worker(api: ApiClient, market: Market) -> None:
    body = api.get(WORKERS, market.admin_token).json

    ids = {item["id"] for item in body["items"]}
    assert {market.mine.worker.id, market.theirs.worker.id} <= ids


def test_an_employer_reaches_no_worker(api: ApiClient, market: Market) -> None:
    token = market.mine.employer_token
    assert error_of(api.get(WORKERS, token), 403)["code"] == "forbidden"
    assert api.get(f"{WORKERS}/{market.mine.worker.id}", token).status_code == 403


def test_a_provider_reads_its_worker_in_full_and_the_view_is_audited(
    api: ApiClient, market: Market, session: Session
) -> None:
    worker = market.mine.worker

    body = api.get(f"{WORKERS}/{worker.id}", market.mine.provider_token).json

    assert (body["given_name"], body["sex"], body["birth_year"]) == ("WorkerMine", "female", 1990)
    assert body["skills"][0]["concept_uri"].endswith("/skill/forklift")
    viewed = session.scalar(
        select(AuditEvent).where(
            AuditEvent.subject_id == worker.id, AuditEvent.action == AuditAction.VIEWED
        )
    )
    assert viewed is not None and viewed.actor_id == market.mine.provider.id


def test_another_provider_s_worker_is_not_found(api: ApiClient, market: Market) -> None:
    response = api.get(f"{WORKERS}/{market.theirs.worker.id}", market.mine.provider_token)

    assert error_of(response, 404)["code"] == "not_found"


def test_a_provider_registers_a_worker_as_its_page_does(
    api: ApiClient, market: Market, session: Session
) -> None:
    response = api.post(WORKERS, NEW_WORKER, market.mine.provider_token)

    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.json
    assert response.headers["Location"] == f"{WORKERS}/{body['id']}"
    stored = session.get(Worker, body["id"])
    assert stored is not None and stored.provider_id == market.mine.provider.organisation_id
    assert (body["status"], body["country_of_origin"]) == ("draft", "RO")
    assert {(lang["code"], lang["level"]) for lang in body["languages"]} == {
        ("ro", "native"),
        ("en", "B1"),
    }


def test_a_registration_names_each_field_it_refuses(api: ApiClient, market: Market) -> None:
    response = api.post(
        WORKERS,
        {
            "given_name": "",
            "email": "not an address",
            "birth_year": "1990",
            "sex": "unknown",
            "languages": [{"code": "en"}],
            "shoe_size": 42,
        },
        market.mine.provider_token,
    )

    fields = error_of(response, 422)["fields"]
    assert set(fields) == {
        "given_name",
        "email",
        "birth_year",
        "sex",
        "languages[0].level",
        "shoe_size",
    }


def test_the_service_s_own_checks_come_back_on_their_field(api: ApiClient, market: Market) -> None:
    response = api.post(WORKERS, {"given_name": "Ana"}, market.mine.provider_token)

    error = error_of(response, 422)
    assert list(error["fields"]) == ["email"]
    assert "email address or a phone number" in error["fields"]["email"][0]


def test_an_unverified_provider_cannot_register_workers(
    api: ApiClient, session: Session, make: Factory
) -> None:
    organisation = make.organisation(OrganisationKind.PROVIDER, verified=False)
    token = token_for(session, make.user(Role.PROVIDER, organisation=organisation))

    assert error_of(api.post(WORKERS, NEW_WORKER, token), 403)["code"] == "forbidden"


def test_only_providers_register_workers(api: ApiClient, market: Market) -> None:
    assert api.post(WORKERS, NEW_WORKER, market.admin_token).status_code == 403
    assert api.post(WORKERS, NEW_WORKER, market.mine.employer_token).status_code == 403


def test_the_list_comes_in_pages_and_a_page_past_the_end_is_empty(
    api: ApiClient, market: Market, session: Session
) -> None:
    provider = market.mine.provider
    for name in ("Bo", "Cy"):
        active_worker(session, market.north, name=name, provider_id=provider.organisation_id)
    token = market.mine.provider_token

    first = api.get(WORKERS, token, query_string={"per_page": 2}).json
    second = api.get(WORKERS, token, query_string={"per_page": 2, "page": 2}).json
    past = api.get(WORKERS, token, query_string={"per_page": 2, "page": 3}).json

    assert (len(first["items"]), first["total"], first["per_page"]) == (2, 3, 2)
    assert len(second["items"]) == 1 and second["page"] == 2
    assert past == {"items": [], "page": 3, "per_page": 2, "total": 3}


def test_page_sizes_above_100_and_odd_pages_are_refused(api: ApiClient, market: Market) -> None:
    response = api.get(WORKERS, market.admin_token, query_string={"per_page": 101, "page": "first"})

    assert set(error_of(response, 422)["fields"]) == {"per_page", "page"}


def test_the_list_is_searched_by_name(api: ApiClient, market: Market, session: Session) -> None:
    active_worker(
        session, market.north, name="Zoltan", provider_id=market.mine.provider.organisation_id
    )

    body = api.get(WORKERS, market.mine.provider_token, query_string={"q": "zolt"}).json

    assert [item["given_name"] for item in body["items"]] == ["Zoltan"]
