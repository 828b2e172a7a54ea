"""gunicorn with the portal's settings (`--config python:portal.gunicorn_conf`): the suggestion
index is built once in the master, before the workers are forked, and they answer with it."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _suggestions(port: int) -> list[dict[str, object]] | None:
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", "/api/v1/skills/suggest?q=forklift")
        response = connection.getresponse()
        body = response.read()
        connection.close()
    except OSError:
        return None
    assert response.status == 200, body
    return json.loads(body)["candidates"]


@pytest.mark.skipif(not (BIN / "gunicorn").exists(), reason="gunicorn is not installed")
def test_the_index_is_built_before_the_workers_are_forked(tmp_path: Path) -> None:
    environment = {
        **os.environ,
        "PORTAL_ENV": "development",
        "PORTAL_INSTANCE_PATH": str(tmp_path),
        "PORTAL_DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite3'}",
    }
    for command in (["db", "upgrade"], ["taxonomy", "load-builtin"]):
        subprocess.run(  # noqa: S603 - our own venv's command
            [str(BIN / "portal"), *command],
            cwd=REPOSITORY,
            env=environment,
            check=True,
            capture_output=True,
        )
    port = _free_port()
    log = tmp_path / "gunicorn.log"
    command = [str(BIN / "gunicorn"), "--config", "python:portal.gunicorn_conf"]
    command += ["--workers", "2", "--bind", f"127.0.0.1:{port}", "wsgi:app"]
    with log.open("wb") as out:
        server = subprocess.Popen(  # noqa: S603 - our own venv's gunicorn
            command,
            cwd=REPOSITORY,
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        found = None
        deadline = time.monotonic() + 60
        while found is None and time.monotonic() < deadline and server.poll() is None:
            found = _suggestions(port)
            time.sleep(0.2)
    finally:
        server.terminate()
        server.wait(timeout=30)
    text = log.read_text()

    assert found, text
    assert "forklift" in json.dumps(found).lower()
    assert text.count("Taxonomy suggestion index built in") == 1, text
    assert text.index("Taxonomy suggestion index built in") < text.index("Booting worker"), text
