"""Demo data for `make run`: a demo country's regions and one account per role, created once."""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import OrganisationKind, Region, Role, User
from portal.services import accounts, organisations, regions


@dataclass(frozen=True, slots=True)
class DemoAccount:
    role: Role
    email: str
    password: str


DEMO_DOMAIN = "demo.skills-portal.example"
PASSWORD_ALPHABET = string.ascii_letters + string.digits  # easy to copy from a terminal
DEMO_REGIONS = ("Capital", "North", "South", "East", "West")


def seed_demo_regions(session: Session) -> list[Region]:
    """The regions of the demo country that are not known yet; returns those added."""
    return regions.add_regions(session, DEMO_REGIONS)


def seed_demo_accounts(session: Session) -> list[DemoAccount]:
    """Create the demo accounts (and regions) that do not exist yet; returns the accounts
    created, with their passwords."""
    seed_demo_regions(session)
    created = []
    for role, name, organisation in (
        (Role.WORKER, "Olena Demo", None),
        (Role.PROVIDER, "Pat Provider", "Demo Labour Provider Ltd"),
        (Role.EMPLOYER, "Erin Employer", "Demo Fresh Produce Farm"),
        (Role.ADMIN, "Ada Admin", None),
    ):
        email = f"{role.value}@{DEMO_DOMAIN}"
        if session.scalar(select(User.id).where(User.email == email)) is not None:
            continue
        org = None
        if organisation is not None:
            org = organisations.create_organisation(
                session, kind=OrganisationKind(role.value), name=organisation, verified=True
            )
        password = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(14))
        accounts.create_user(
            session, email=email, full_name=name, password=password, role=role, organisation=org
        )
        created.append(DemoAccount(role=role, email=email, password=password))
    return created
