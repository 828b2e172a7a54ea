"""Load test of the portal on loopback: PostgreSQL behind gunicorn, 50 concurrent users.

    python benchmarks/load.py [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test]
        [--workers 100000] [--vacancies 10000] [--seed 7] [--esco-dir ../shared/esco]
        [--users 50] [--duration 120] [--warmup 20] [--think 1.0] [--statistics-every 0]
        [--gunicorn-workers 4] [--gunicorn-threads 4] [--schema bench_load] [--rebuild]
        [--prepare-only] [--json FILE]

(`make load` runs it with the defaults.) Three steps:

1. The data, in the PostgreSQL schema `bench_load` (kept between runs): a migrated schema, the
   official ESCO stored and active, the synthetic market of `benchmarks/matching.py` stored by
   `benchmarks/match_run.py` (100,000 workers, 10,000 open vacancies), its vacancies spread over
   500 employers and its workers over 100 labour providers, logins for a sample of them (200
   workers, 50 employers, 20 providers) and an admin, all with the password `PASSWORD` below,
   then a real round of `portal match run` (explained matches, proposals). Building takes 10-15
   minutes. When the schema's comment says it already holds this market (same sizes, seed
   and ESCO files) it is only upgraded to the newest migration; `--rebuild` starts again.
2. The server: first `portal stats refresh` counts the statistics dashboard's views, as the
   operator's scheduler does (the time it took is printed); then
   `gunicorn --config python:portal.gunicorn_conf -w 4 --threads 4 wsgi:app` (the portal's
   settings: the taxonomy index built once before the workers fork) on 127.0.0.1 (a free
   port), with PORTAL_ENV=production, a random secret key and PORTAL_DATABASE_URL on that
   schema.
3. The users, in threads of this process (the standard library's http.client, no extra
   package): each logs in once as its role (anonymous visitors do not), then repeats actions
   picked from its role's mix, waiting a think time (uniform 0.5-1.5 × `--think` seconds)
   after each; `--think 0` drives the server flat out. Actions: the home page, vacancy browsing
   with filters and pagination, a vacancy page, skill and occupation type-ahead (the API, one
   request per word typed as the page's script sends them, in the language of the words: en,
   fr, ru, uk, ar), a worker's dashboard and matches, an employer's candidates for one of its
   vacancies, a provider's worker list and one worker's matches, the admin's placement board
   and statistics dashboard by one of its dimensions (each admin at most once a
   `--statistics-every` seconds: 0, as often as the mix says; `inf`, never). 50 users are 17
   anonymous visitors, 19 workers, 8 employers, 4 providers and 2 admins. Before them, rounds
   of simultaneous suggestions until two in a row answer within a second (the time it took is
   printed); requests in the first `--warmup` seconds are not counted either.

Prints the machine (CPUs, model, load average before and every 15 s during the run), the CPU
used meanwhile by gunicorn, by its PostgreSQL backends, by this process and by everything else
on the machine (other people's jobs), then per route: requests, errors, p50/p95/p99 and max
(ms), throughput; and whether the targets hold (p95 ≤ 200 ms for pages, ≤ 50 ms for
suggestions). Any error (a status other than the expected one, a lost session, a refused
connection, no answer within 120 s) makes the exit code 1. Not part of `make test` or CI.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, select, text
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parent.parent
for folder in (REPO, REPO / "benchmarks"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from match_run import _match_run, store_market  # noqa: E402  (the market as rows, the real command)
from matching import (  # noqa: E402  (the market generator)
    CLASSIFICATION_ZIP,
    RELATIONS_ZIP,
    make_market,
    occupation_profiles,
)

from portal import schema  # noqa: E402
from portal.db import Database  # noqa: E402
from portal.models import Organisation, OrganisationKind, Role, User  # noqa: E402
from portal.models.base import utcnow  # noqa: E402
from portal.services import passwords  # noqa: E402
from portal.services import taxonomy as taxonomy_service  # noqa: E402
from portal.taxonomy.loaders.esco import read_esco  # noqa: E402

SCHEMA = "bench_load"
PASSWORD = "load-test-Pa55word-7"  # noqa: S105 (the benchmark schema's logins, documented)
EMAIL_DOMAIN = "load.bench.example"
ADMIN_EMAIL = f"admin@{EMAIL_DOMAIN}"
VACANCIES_PER_EMPLOYER = 20
WORKERS_PER_PROVIDER = 1_000
LOGINS = {Role.WORKER: 200, Role.EMPLOYER: 50, Role.PROVIDER: 20}
APPLICATION_NAME = "portal-load-test"  # gunicorn's connections, to measure their CPU
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PAGE_TARGET_MS = 200.0
LOGIN_ROUTE = "log in (GET + POST /login)"
SUGGEST_TARGET_MS = 50.0
TIMEOUT = 120  # seconds a request may take before it counts as an error


# --- 1. the data --------------------------------------------------------------------------------


def schema_url(postgres: str, name: str) -> str:
    url = make_url(postgres).update_query_dict({"options": f"-csearch_path={name}"})
    return url.render_as_string(hide_password=False)


def wanted_marker(args: argparse.Namespace, zips: Sequence[Path]) -> str:
    """What the schema must hold to be reused: the market's sizes and seed, ESCO's files."""
    return json.dumps(
        {
            "workers": args.workers,
            "vacancies": args.vacancies,
            "seed": args.seed,
            "esco": taxonomy_service.files_hash(zips),
            "logins": {role.value: n for role, n in LOGINS.items()},
        },
        sort_keys=True,
    )


def stored_marker(engine: Engine, name: str) -> str | None:
    with engine.connect() as connection:
        return connection.scalar(
            text(
                "SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = :s"
            ),
            {"s": name},
        )


def prepare(args: argparse.Namespace, zips: Sequence[Path]) -> str:
    """The URL of a schema holding the market, built now or reused."""
    marker = wanted_marker(args, zips)
    quoted = marker.replace("'", "''")
    name = args.schema
    server = Database(args.postgres)
    try:
        if not args.rebuild and stored_marker(server.engine, name) == marker:
            print(f"Reusing schema {name} (it holds this market); upgrading it to the head.")
            url = schema_url(args.postgres, name)
            database = Database(url)
            schema.upgrade(database.engine)
            database.dispose()
            return url
        with server.engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
            connection.execute(text(f'CREATE SCHEMA "{name}"'))
        url = schema_url(args.postgres, name)
        build(url, args, zips)
        with server.engine.begin() as connection:
            connection.execute(text(f"COMMENT ON SCHEMA \"{name}\" IS '{quoted}'"))
        return url
    finally:
        server.dispose()


def build(url: str, args: argparse.Namespace, zips: Sequence[Path]) -> None:
    started = time.perf_counter()

    def say(what: str) -> None:
        print(f"  [{time.perf_counter() - started:6.1f} s] {what}", flush=True)

    print(f"Building schema {args.schema}: {args.workers:,} workers × {args.vacancies:,} vacancies")
    database = Database(url)
    try:
        schema.upgrade(database.engine)
        esco = read_esco(*zips)
        say("ESCO read")
        profiles, all_skills = occupation_profiles(esco)
        workers, vacancies = make_market(
            profiles, all_skills, args.workers, args.vacancies, args.seed
        )
        say("market generated")
        with database.session_scope() as session:
            taxonomy_service.store_taxonomy(
                session, esco, content_hash=taxonomy_service.files_hash(zips)
            )
            say("ESCO stored and active")
            del esco, profiles, all_skills
            store_market(session, workers, vacancies)
            say("market stored")
            del workers, vacancies
            spread_organisations(session, args)
            say("vacancies and workers spread over employers and providers")
            create_logins(session, args)
            say("logins created")
        database.dispose()
        seconds, output = _match_run(url)
        say(f"portal match run ({seconds:.0f} s): {' '.join(output.split())}")
        with database.engine.begin() as connection:
            connection.execute(text("ANALYZE"))  # as autovacuum would, before the load
        say("analysed")
    finally:
        database.dispose()


def spread_organisations(session: Any, args: argparse.Namespace) -> None:
    """More employers and providers than `store_market`'s one each: vacancy i goes to employer
    i mod n, worker i to provider i mod n (the first of each kind is store_market's own)."""
    now = utcnow()
    for kind, count, table in (
        (OrganisationKind.EMPLOYER, args.vacancies // VACANCIES_PER_EMPLOYER, "vacancies"),
        (OrganisationKind.PROVIDER, args.workers // WORKERS_PER_PROVIDER, "workers"),
    ):
        count = max(1, count)
        session.execute(
            insert(Organisation),
            [
                {"kind": kind, "name": f"Benchmark {kind.value} {n}", "verified_at": now}
                for n in range(2, count + 1)
            ],
        )
        column = "organisation_id" if table == "vacancies" else "provider_id"
        session.execute(
            text(
                f"UPDATE {table} AS t SET {column} = o.id FROM (SELECT id, "  # noqa: S608 (constants)
                "row_number() OVER (ORDER BY id) - 1 AS n FROM organisations WHERE kind = :kind) "
                "AS o WHERE o.n = t.id % :count"
            ),
            {"kind": kind.value, "count": count},
        )
    session.commit()


def create_logins(session: Any, args: argparse.Namespace) -> None:
    """Accounts with the known password: a sample of workers (every n-th), one member each for
    the first employers and providers, and an admin. One hash serves them all (argon2 at the
    portal's cost takes a tenth of a second a hash)."""
    password_hash = passwords.hash_password(PASSWORD)
    now = utcnow()

    def user(email: str, name: str, role: Role, organisation_id: int | None = None) -> int:
        return session.scalar(
            insert(User)
            .values(
                email=email,
                full_name=name,
                password_hash=password_hash,
                role=role,
                organisation_id=organisation_id,
                created_at=now,
                password_changed_at=now,
            )
            .returning(User.id)
        )

    user(ADMIN_EMAIL, "Load Admin", Role.ADMIN)
    step = max(1, args.workers // LOGINS[Role.WORKER])
    for worker_id in range(1, args.workers + 1, step)[: LOGINS[Role.WORKER]]:
        user_id = user(f"worker{worker_id}@{EMAIL_DOMAIN}", f"Worker {worker_id}", Role.WORKER)
        session.execute(
            text("UPDATE workers SET user_id = :u WHERE id = :w"), {"u": user_id, "w": worker_id}
        )
    for role, kind in ((Role.EMPLOYER, "employer"), (Role.PROVIDER, "provider")):
        organisation_ids = session.scalars(
            select(Organisation.id)
            .where(Organisation.kind == OrganisationKind(kind))
            .order_by(Organisation.id)
            .limit(LOGINS[role])
        ).all()
        for n, organisation_id in enumerate(organisation_ids, start=1):
            user(f"{kind}{n}@{EMAIL_DOMAIN}", f"{kind.title()} {n}", role, organisation_id)
    session.commit()


@dataclass(frozen=True)
class Login:
    email: str
    role: Role
    vacancy_ids: tuple[int, ...] = ()  # an employer's vacancies that have candidates
    worker_ids: tuple[int, ...] = ()  # a provider's workers that have matches


def logins(url: str) -> dict[Role, list[Login]]:
    """The benchmark's accounts, each with what its pages need."""
    database = Database(url)
    found: dict[Role, list[Login]] = defaultdict(list)
    try:
        with database.engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT u.email, u.role, u.organisation_id FROM users u "
                    "WHERE u.email LIKE :domain ORDER BY u.id"
                ),
                {"domain": f"%@{EMAIL_DOMAIN}"},
            ).all()
            with_candidates = defaultdict(list)
            for organisation_id, vacancy_id in connection.execute(
                text(
                    "SELECT v.organisation_id, v.id FROM vacancies v WHERE EXISTS "
                    "(SELECT 1 FROM matches m WHERE m.vacancy_id = v.id) ORDER BY v.id"
                )
            ):
                with_candidates[organisation_id].append(vacancy_id)
            with_matches = defaultdict(list)
            for provider_id, worker_id in connection.execute(
                text(
                    "SELECT provider_id, id FROM (SELECT w.provider_id, w.id, row_number() OVER "
                    "(PARTITION BY w.provider_id ORDER BY w.id) AS n FROM workers w WHERE EXISTS "
                    "(SELECT 1 FROM matches m WHERE m.worker_id = w.id)) AS t WHERE n <= 20"
                )
            ):
                with_matches[provider_id].append(worker_id)
    finally:
        database.dispose()
    for email, role_value, organisation_id in rows:
        role = Role(role_value)
        found[role].append(
            Login(
                email,
                role,
                tuple(with_candidates.get(organisation_id, ())),
                tuple(with_matches.get(organisation_id, ())),
            )
        )
    return found


# --- 2. the server ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def gunicorn_command(args: argparse.Namespace, port: int) -> list[str]:
    return [
        str(Path(sys.executable).parent / "gunicorn"),
        "--config", "python:portal.gunicorn_conf",
        "-w", str(args.gunicorn_workers),
        "--threads", str(args.gunicorn_threads),
        "-b", f"127.0.0.1:{port}",
        "wsgi:app",
    ]  # fmt: skip


def server_environment(url: str, instance: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PORTAL_ENV": "production",
        "PORTAL_SECRET_KEY": secrets.token_urlsafe(48),
        "PORTAL_DATABASE_URL": url,
        "PORTAL_INSTANCE_PATH": str(instance),
    }


def refresh_statistics(url: str, instance: Path) -> None:
    """What the operator's scheduler does (`portal stats refresh`): the dashboard's views are
    counted ahead of the admins' visits."""
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 (our own venv's portal command, fixed arguments)
        [str(Path(sys.executable).parent / "portal"), "stats", "refresh"],
        cwd=REPO,
        env=server_environment(url, instance),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"portal stats refresh failed:\n{done.stdout}{done.stderr}")
    print(
        f"Statistics: `portal stats refresh` ({time.perf_counter() - started:.1f} s): "
        + done.stdout.strip()
    )


def start_server(args: argparse.Namespace, url: str, instance: Path, log: Path) -> tuple[Any, int]:
    port = free_port()
    environment = server_environment(url, instance)
    command = gunicorn_command(args, port)
    print("Server: PORTAL_ENV=production", " ".join([Path(command[0]).name, *command[1:]]))
    with log.open("wb") as out:
        server = subprocess.Popen(  # noqa: S603 (our own venv's gunicorn, fixed arguments)
            command, cwd=REPO, env=environment, stdout=out, stderr=subprocess.STDOUT
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped (exit {server.returncode}):\n{log.read_text()}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/")
            if connection.getresponse().status == 200:
                connection.close()
                return server, port
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit(f"gunicorn did not answer within 60 s:\n{log.read_text()}")


def warm_up(port: int, parallel: int) -> None:
    """Rounds of `parallel` simultaneous suggestion requests until two rounds in a row answer
    within a second: each gunicorn worker builds its taxonomy index on its first one. Prints
    how long that took (what the first users after a restart wait)."""
    started = time.perf_counter()
    slowest: list[float] = []
    fast_rounds = 0
    for _round in range(30):
        times: list[float] = []

        def ask(times: list[float] = times) -> None:
            client = Client(port, "en")
            began = time.perf_counter()
            try:
                client.request("GET", "/api/v1/skills/suggest?q=forklift&limit=8")
            except (OSError, http.client.HTTPException):
                times.append(float("inf"))
            else:
                times.append(time.perf_counter() - began)
            client.close()

        threads = [threading.Thread(target=ask) for _ in range(parallel)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        slowest.append(max(times))
        fast_rounds = fast_rounds + 1 if max(times) < 1.0 else 0
        if fast_rounds == 2:
            break
    print(
        f"Warm-up: taxonomy indexes built in every gunicorn worker after "
        f"{time.perf_counter() - started:.1f} s (slowest answer of each round of {parallel}: "
        + ", ".join(f"{s:.2f}" for s in slowest)
        + " s)"
    )


def cpu_seconds(pids: Sequence[int]) -> dict[int, float]:
    """CPU time (user + system) of each process so far, from Linux's /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    found = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[pid] = (int(fields[11]) + int(fields[12])) / ticks
    return found


def server_pids(server: Any) -> list[int]:
    """gunicorn's master and workers."""
    try:
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    except OSError:
        return [server.pid]
    return [server.pid, *(int(pid) for pid in children)]


def database_pids(postgres: str) -> list[int]:
    """The PostgreSQL backends serving gunicorn (named by their application_name)."""
    database = Database(postgres)
    try:
        with database.engine.connect() as connection:
            return list(
                connection.scalars(
                    text("SELECT pid FROM pg_stat_activity WHERE application_name = :name"),
                    {"name": APPLICATION_NAME},
                )
            )
    finally:
        database.dispose()


class CpuMeter:
    """CPU used between `start` and `stop` by gunicorn and by its PostgreSQL backends."""

    def __init__(self, server: Any, postgres: str) -> None:
        self.server, self.postgres = server, postgres

    def sample(self) -> tuple[dict[int, float], dict[int, float]]:
        return cpu_seconds(server_pids(self.server)), cpu_seconds(database_pids(self.postgres))

    def start(self) -> None:
        self.before = self.sample()

    def stop(self) -> tuple[float, float]:
        after = self.sample()
        return tuple(  # type: ignore[return-value]
            sum(now - then.get(pid, 0.0) for pid, now in current.items())
            for then, current in zip(self.before, after, strict=True)
        )


# --- 3. the users -------------------------------------------------------------------------------

SKILL_WORDS = {
    "en": [
        "forklift", "fork lift driving", "welding", "harvest fruit", "cleaning offices", "cook",
        "nursing care", "truck driving", "bricklaying", "plumbing", "electrical wiring",
        "milking cows", "customer service", "warehouse stock", "painting walls", "carpentry",
        "sewing machine", "first aid", "data entry", "weldng", "forklfit", "packing boxes",
        "care for elderly", "operate tractor", "pick vegetables", "drive lorry", "wash dishes",
    ],
    "fr": [
        "soudure", "conduite de chariot élévateur", "nettoyage", "cuisine", "récolte des fruits",
        "maçonnerie", "plomberie", "soins infirmiers", "électricité",
    ],
    "ru": ["сварка", "уборка помещений", "водитель погрузчика", "повар", "сбор урожая"],
    "uk": ["зварювання", "прибирання", "кухар", "водій вантажівки", "догляд за літніми людьми"],
    "ar": ["لحام", "تنظيف", "طبخ", "قيادة رافعة شوكية", "حصاد الفاكهة"],
}  # fmt: skip
OCCUPATION_WORDS = {
    "en": [
        "nurse", "cook", "farm worker", "truck driver", "electrician", "welder", "cleaner",
        "warehouse worker", "care assistant", "bricklayer", "fruit picker", "kitchen porter",
    ],
    "fr": ["infirmière", "cuisinier", "ouvrier agricole", "chauffeur"],
    "ru": ["медсестра", "повар", "водитель"],
    "uk": ["медсестра", "водій", "кухар"],
    "ar": ["ممرضة", "طباخ", "سائق"],
}  # fmt: skip
SECTORS = "123456789"
TYPEAHEAD_LIMIT = 8  # what portal/static/js/typeahead.js asks for
CSRF_FIELD = re.compile(rb'name="csrf_token"[^>]*value="([^"]+)"')


class Client:
    """One browser: a keep-alive connection and its cookies (set by hand: the session cookie is
    `Secure`, which a cookie jar would not send over plain HTTP on loopback)."""

    def __init__(self, port: int, language: str) -> None:
        self.port = port
        self.language = language
        self.connection: http.client.HTTPConnection | None = None
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, body: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        headers = {"Accept-Language": self.language, "User-Agent": "portal-load-test"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        payload = None
        if body is not None:
            payload = urllib.parse.urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in range(2):
            fresh = self.connection is None
            if self.connection is None:
                self.connection = http.client.HTTPConnection(
                    "127.0.0.1", self.port, timeout=TIMEOUT
                )
            try:
                self.connection.request(method, path, payload, headers)
                response = self.connection.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # the server closed an idle keep-alive connection: reconnect once, as browsers do
                self.close()
                if fresh or attempt:
                    raise
                continue
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name.strip()] = rest.split(";", 1)[0]
            if response.will_close:
                self.close()
            return response.status, dict(response.getheaders()), data
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


@dataclass
class Results:
    """Every timed request, by route; the users append under the lock."""

    counting: bool = False
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    examples: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, route: str, seconds: float, problem: str | None, always: bool = False) -> None:
        if not (self.counting or always):
            return
        with self.lock:
            self.latencies[route].append(seconds * 1000)
            if problem:
                self.errors[route] += 1
                if len(self.examples) < 20:
                    self.examples.append(f"{route}: {problem}")


class VirtualUser:
    """A virtual user: logs in once as its role, then repeats actions of its role's mix."""

    def __init__(
        self, port: int, login: Login | None, results: Results, rng: random.Random, args: Any
    ) -> None:
        self.language = rng.choice(list(SKILL_WORDS)) if rng.random() < 0.4 else "en"
        self.client = Client(port, self.language)
        self.login = login
        self.results = results
        self.rng = rng
        self.think = args.think
        self.n_vacancies = args.vacancies
        self.role = login.role if login else None
        self.statistics_every = args.statistics_every
        self.last_statistics = -float("inf")

    def get(self, route: str, path: str, expect: int = 200) -> bytes:
        started = time.perf_counter()
        problem = None
        body = b""
        try:
            status, headers, body = self.client.request("GET", path)
            if status != expect:
                problem = f"GET {path} answered {status} {headers.get('Location', '')}"
        except (OSError, http.client.HTTPException) as error:
            problem = f"GET {path} failed: {error!r}"
        self.results.record(route, time.perf_counter() - started, problem)
        return body

    def log_in(self) -> bool:
        assert self.login is not None
        started = time.perf_counter()
        problem = None
        try:
            status, _, page = self.client.request("GET", "/login")
            token = CSRF_FIELD.search(page)
            if status != 200 or token is None:
                problem = f"GET /login answered {status}"
            else:
                status, headers, _ = self.client.request(
                    "POST",
                    "/login",
                    {
                        "csrf_token": token.group(1).decode(),
                        "email": self.login.email,
                        "password": PASSWORD,
                    },
                )
                if status != 302 or headers.get("Location", "").endswith("/login"):
                    problem = f"POST /login as {self.login.email} answered {status}"
        except (OSError, http.client.HTTPException) as error:
            problem = f"login failed: {error!r}"
        self.results.record(LOGIN_ROUTE, time.perf_counter() - started, problem, True)
        return problem is None

    # -- actions ---------------------------------------------------------------------------------

    def home(self) -> None:
        self.get("/ (home)", "/")

    def browse(self) -> None:
        query: dict[str, str] = {}
        rng = self.rng
        if rng.random() < 0.5:
            query["q"] = rng.choice(["worker", "operator", "assistant", "driver", "technician"])
        if rng.random() < 0.3:
            query["region"] = str(rng.randint(1, 20))
        if rng.random() < 0.2:
            query["sector"] = rng.choice(SECTORS)
        if rng.random() < 0.2:
            query["starts_by"] = "2027-05-01"
        if rng.random() < 0.1:
            query["accommodation"] = "y"
        page = rng.choice([1, 1, 1, 2, 3, 5])
        if page > 1:
            query["page"] = str(page)
        self.get("/vacancies/?filters&page", "/vacancies/?" + urllib.parse.urlencode(query))

    def vacancy(self) -> None:
        self.get("/vacancies/<id>", f"/vacancies/{self.rng.randint(1, self.n_vacancies)}")

    def typeahead(self, kind: str, words: dict[str, list[str]], route: str) -> None:
        """Type the words of a phrase in the user's language: one request per word typed (the
        page's script asks after 200 ms without a key), the last one the whole phrase."""
        language = self.language if self.language in words else "en"
        phrase = self.rng.choice(words[language])
        parts = phrase.split()
        for n in range(1, len(parts) + 1):
            query = urllib.parse.urlencode(
                {"q": " ".join(parts[:n]), "limit": TYPEAHEAD_LIMIT, "lang": language}
            )
            self.get(route, f"/api/v1/{kind}/suggest?{query}")
            if n < len(parts):
                time.sleep(self.rng.uniform(0.2, 0.5) * min(self.think, 1.0))

    def skills(self) -> None:
        self.typeahead("skills", SKILL_WORDS, "/api/v1/skills/suggest")

    def occupations(self) -> None:
        self.typeahead("occupations", OCCUPATION_WORDS, "/api/v1/occupations/suggest")

    def worker_dashboard(self) -> None:
        self.get("/worker/", "/worker/")

    def worker_matches(self) -> None:
        self.get("/worker/matches", "/worker/matches")

    def candidates(self) -> None:
        assert self.login is not None
        if not self.login.vacancy_ids:
            return self.vacancy()
        vacancy_id = self.rng.choice(self.login.vacancy_ids)
        page = "?page=2" if self.rng.random() < 0.2 else ""
        self.get(
            "/employer/vacancies/<id>/candidates",
            f"/employer/vacancies/{vacancy_id}/candidates{page}",
        )

    def provider_workers(self) -> None:
        page = self.rng.choice([1, 1, 2, 10])
        self.get("/provider/workers", f"/provider/workers?page={page}")

    def provider_worker_matches(self) -> None:
        assert self.login is not None
        if not self.login.worker_ids:
            return self.provider_workers()
        worker_id = self.rng.choice(self.login.worker_ids)
        self.get("/workers/<id>/matches (provider)", f"/workers/{worker_id}/matches")

    def placement_board(self) -> None:
        state = self.rng.choice(["", "", "proposed", "offered", "accepted"])
        page = self.rng.choice([1, 1, 2, 20])
        query = urllib.parse.urlencode({"state": state, "page": page} if state else {"page": page})
        self.get("/admin/placements", f"/admin/placements?{query}")

    def statistics(self) -> None:
        """The dashboard by one of its dimensions, at most once every `--statistics-every`
        seconds per admin (0: as often as the mix says); the placement board otherwise."""
        now = time.monotonic()
        if self.statistics_every == float("inf") or now - self.last_statistics < (
            self.statistics_every
        ):
            return self.placement_board()
        self.last_statistics = now
        by = self.rng.choice(["region", "sector", "origin", "age_band", "month"])
        self.get("/admin/statistics", f"/admin/statistics?by={by}")

    def mix(self) -> list[tuple[Callable[[], None], int]]:
        public = [(self.home, 2), (self.browse, 3), (self.vacancy, 3), (self.skills, 3),
                  (self.occupations, 1)]  # fmt: skip
        return {
            None: public,
            Role.WORKER: [(self.worker_dashboard, 2), (self.worker_matches, 3), (self.skills, 3),
                          (self.occupations, 1), (self.browse, 1), (self.vacancy, 1)],
            Role.EMPLOYER: [(self.candidates, 4), (self.vacancy, 1), (self.occupations, 1)],
            Role.PROVIDER: [(self.provider_workers, 2), (self.provider_worker_matches, 2),
                            (self.skills, 1)],
            Role.ADMIN: [(self.placement_board, 3), (self.statistics, 2)],
        }[self.role]  # fmt: skip

    def run(self, stop: threading.Event) -> None:
        actions, weights = zip(*self.mix(), strict=True)
        stop.wait(self.rng.uniform(0, max(self.think, 0.2)))  # users arrive spread out
        while not stop.is_set():
            self.rng.choices(actions, weights)[0]()
            if self.think:
                stop.wait(self.rng.uniform(0.5, 1.5) * self.think)
        self.client.close()


USER_SHARES = ((None, 0.32), (Role.WORKER, 0.40), (Role.EMPLOYER, 0.16), (Role.PROVIDER, 0.08))
"""The users' roles, in shares of `--users` (2 of them, at least 1, are admins)."""


def make_users(
    args: argparse.Namespace, port: int, accounts: dict[Role, list[Login]], results: Results
) -> list[VirtualUser]:
    rng = random.Random(args.seed)
    admins = max(1, round(args.users * 0.04))
    counts = {role: round((args.users - admins) * share) for role, share in USER_SHARES}
    counts[None] += args.users - admins - sum(counts.values())
    counts[Role.ADMIN] = admins
    users = []
    for role, count in counts.items():
        pool = accounts.get(role, []) if role else []
        if role and not pool:
            raise SystemExit(f"No {role.value} logins in {args.schema}: try --rebuild.")
        for n in range(count):
            login = pool[n % len(pool)] if role else None
            users.append(VirtualUser(port, login, results, random.Random(rng.random()), args))
    return users


# --- the report ---------------------------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest rank: the smallest value with at least p % of the values at or below it."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


def machine() -> dict[str, Any]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kib / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return {
        "cpus": os.cpu_count(),
        "model": model or platform.processor(),
        "memory": memory,
        "python": platform.python_version(),
        "system": platform.platform(),
    }


def postgres_version(url: str) -> str:
    database = Database(url)
    try:
        with database.engine.connect() as connection:
            return str(connection.scalar(text("SHOW server_version")))
    finally:
        database.dispose()


def is_suggestion(route: str) -> bool:
    return "suggest" in route


def report(results: Results, seconds: float) -> tuple[list[dict[str, Any]], bool]:
    rows = []
    met = True
    for route in sorted(results.latencies, key=lambda r: (r.startswith("log in"), r)):
        values = results.latencies[route]
        p95 = percentile(values, 95)
        counted = not route.startswith(LOGIN_ROUTE)
        target = SUGGEST_TARGET_MS if is_suggestion(route) else PAGE_TARGET_MS
        ok = p95 <= target
        if counted:
            met = met and ok
        rows.append(
            {
                "route": route,
                "requests": len(values),
                "errors": results.errors.get(route, 0),
                "p50 ms": round(percentile(values, 50), 1),
                "p95 ms": round(p95, 1),
                "p99 ms": round(percentile(values, 99), 1),
                "max ms": round(max(values), 1),
                "per s": round(len(values) / seconds, 1) if counted else None,
                "target": f"≤ {target:.0f}: {'met' if ok else 'MISSED'}" if counted else "",
            }
        )
    return rows, met


def print_table(rows: Sequence[dict[str, Any]]) -> None:
    columns = ["route", "requests", "errors", "p50 ms", "p95 ms", "p99 ms", "max ms", "per s",
               "target"]  # fmt: skip
    print("| " + " | ".join(columns) + " |")
    print("| --- |" + " ---: |" * (len(columns) - 2) + " --- |")
    for row in rows:
        cells = [
            f"{row[c]:,}" if isinstance(row[c], int) else ("" if row[c] is None else str(row[c]))
            for c in columns
        ]
        print("| " + " | ".join(cells) + " |")


def loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def machine_busy_seconds() -> float:
    """CPU time the whole machine has spent busy (all processes, every core), from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def drive(args: argparse.Namespace, url: str) -> int:
    accounts = logins(url)
    with tempfile.TemporaryDirectory(prefix="portal-load-") as folder:
        log = Path(folder) / "gunicorn.log"
        named = make_url(url).update_query_dict({"application_name": APPLICATION_NAME})
        refresh_statistics(url, Path(folder))
        server, port = start_server(args, named.render_as_string(False), Path(folder), log)
        built = [line for line in log.read_text().splitlines() if "index built in" in line]
        print("gunicorn:", built[0].split("] ")[-1] if built else "no taxonomy index built")
        try:
            return _drive(args, port, accounts, CpuMeter(server, args.postgres), log)
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()


def _drive(
    args: argparse.Namespace,
    port: int,
    accounts: dict[Role, list[Login]],
    meter: CpuMeter,
    log: Path,
) -> int:
    warm_up(port, 2 * args.gunicorn_workers * args.gunicorn_threads)
    results = Results()
    users = make_users(args, port, accounts, results)
    print(
        f"Users: {len(users)} ({', '.join(_role_counts(users))}), think {args.think:g} s "
        f"(× 0.5-1.5), warm-up {args.warmup:g} s, measured {args.duration:g} s"
    )
    logged_in = sum(user.log_in() for user in users if user.login is not None)
    print(f"Logged in: {logged_in} of {sum(1 for user in users if user.login)}")
    stop = threading.Event()
    threads = [threading.Thread(target=user.run, args=(stop,), daemon=True) for user in users]
    for thread in threads:
        thread.start()
    time.sleep(args.warmup)
    loads = [loadavg()]
    meter.start()
    own_before, busy_before = time.process_time(), machine_busy_seconds()
    started = time.perf_counter()
    results.counting = True
    while (elapsed := time.perf_counter() - started) < args.duration:
        time.sleep(min(15.0, args.duration - elapsed))
        loads.append(loadavg())
    results.counting = False
    seconds = time.perf_counter() - started
    server_cpu, database_cpu = meter.stop()
    own_cpu = time.process_time() - own_before
    busy = machine_busy_seconds() - busy_before
    stop.set()
    for thread in threads:
        thread.join(timeout=TIMEOUT + 5)

    rows, met = report(results, seconds)
    total = sum(row["requests"] for row in rows if row["per s"] is not None)
    errors = sum(results.errors.values())
    print()
    print(
        f"Measured {seconds:.0f} s: {total:,} requests ({total / seconds:.1f}/s), {errors} errors"
    )
    others = busy - server_cpu - database_cpu - own_cpu
    print(
        f"CPU used in that time, in cores: gunicorn {server_cpu / seconds:.2f}, its PostgreSQL "
        f"backends {database_cpu / seconds:.2f}, this load generator {own_cpu / seconds:.2f}, "
        f"everything else on the machine {others / seconds:.2f} (of {os.cpu_count()})"
    )
    print(f"Load average (1, 5, 15 min) during the run, every 15 s: {' | '.join(loads)}")
    print()
    print_table(rows)
    print()
    print(
        f"Targets (p95 ≤ {PAGE_TARGET_MS:.0f} ms pages, ≤ {SUGGEST_TARGET_MS:.0f} ms suggestions): "
        + ("met" if met else "MISSED")
    )
    if args.json:
        cores = {
            "gunicorn": server_cpu / seconds,
            "postgres": database_cpu / seconds,
            "load generator": own_cpu / seconds,
            "others": others / seconds,
        }
        Path(args.json).write_text(
            json.dumps({"rows": rows, "loads": loads, "cores": cores}, indent=1)
        )
    if errors or logged_in < sum(1 for user in users if user.login):
        print("Errors:", *results.examples, sep="\n  ")
        print("gunicorn's log ends:", *log.read_text().splitlines()[-30:], sep="\n  ")
        return 1
    return 0


def _role_counts(users: Sequence[VirtualUser]) -> list[str]:
    counts: dict[str, int] = defaultdict(int)
    for user in users:
        counts[user.role.value if user.role else "anonymous"] += 1
    return [f"{n} {role}" for role, n in counts.items()]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES)
    parser.add_argument("--schema", default=SCHEMA, help="kept between runs (bench_...)")
    parser.add_argument("--esco-dir", type=Path, default=REPO.parent / "shared" / "esco")
    parser.add_argument("--workers", type=int, default=100_000)
    parser.add_argument("--vacancies", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=120, help="measured seconds")
    parser.add_argument("--warmup", type=float, default=20, help="seconds not counted")
    parser.add_argument("--think", type=float, default=1.0, help="mean think time, seconds")
    parser.add_argument(
        "--statistics-every", type=float, default=0, help="seconds between an admin's visits"
    )
    parser.add_argument("--gunicorn-workers", type=int, default=4)
    parser.add_argument("--gunicorn-threads", type=int, default=4)
    parser.add_argument("--rebuild", action="store_true", help="build the schema again")
    parser.add_argument("--prepare-only", action="store_true", help="build or check, no load")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)
    if not re.fullmatch(r"bench_[a-z0-9_]+", args.schema):
        parser.error("--schema must be bench_ and lower-case letters, digits or _ (it is dropped)")
    zips = (args.esco_dir / CLASSIFICATION_ZIP, args.esco_dir / RELATIONS_ZIP)
    if not all(path.exists() for path in zips):
        print(f"The ESCO zips are not in {args.esco_dir}: {', '.join(p.name for p in zips)}")
        return 2
    facts = machine()
    print(
        f"Machine: {facts['cpus']} CPUs, {facts['model']}, {facts['memory']}; "
        f"Python {facts['python']}; {facts['system']}"
    )
    print(f"Load average before (1, 5, 15 min): {loadavg()}")
    url = prepare(args, zips)
    print(f"PostgreSQL {postgres_version(url)}, schema {args.schema}")
    if args.prepare_only:
        return 0
    print(f"Load average before the load (1, 5, 15 min): {loadavg()}")
    return drive(args, url)


if __name__ == "__main__":
    raise SystemExit(main())
