"""gunicorn settings for the portal: `gunicorn --config python:portal.gunicorn_conf wsgi:app`.

The app is loaded once, in gunicorn's master (`preload_app`), and the active taxonomy's
suggestion index is built there before the workers are forked: they all start with it, instead
of each building its own on its first suggestion while a user waits (3 to 26 seconds at ESCO's
size, docs/benchmarks.md). The master's database connections are closed before the fork, since
a connection must never be shared between processes. Other settings (workers, threads, bind)
are given on the command line as usual.
"""

from __future__ import annotations

import time
from typing import Any

preload_app = True


def when_ready(server: Any) -> None:
    """Build the suggestion index in the master; a failure (no database yet) only logs."""
    from portal.services.taxonomy import taxonomy_index

    app = server.app.wsgi()
    database = app.extensions["portal.db"]
    started = time.perf_counter()
    try:
        with app.app_context(), database.session_scope() as session:
            index = taxonomy_index(session)
    except Exception as error:  # workers build the index on first use instead
        server.log.warning("Taxonomy index not built before forking: %s", error)
    else:
        if index is None:
            server.log.info("No active taxonomy: no suggestion index to build.")
        else:
            server.log.info(
                "Taxonomy suggestion index built in %.1f s, shared by every worker.",
                time.perf_counter() - started,
            )
    finally:
        database.dispose()
