"""Benchmark for docs/scaling.md: what one app instance on a 2-core machine serves, page by page.

    TEST_PG_PORT=54334 scripts/with-test-postgres.sh \
        sh -c '.venv/bin/python bench/pages.py --database-url "$TEST_DATABASE_URL"'
    .venv/bin/python bench/pages.py            (a temporary SQLite file)

Seeds the demo clinic and signed-in patients through the cluster test's seeding (tests/cluster/seed.py),
starts `gunicorn --workers 2` (sync, one per core) on 127.0.0.1, and drives each main page with C concurrent
clients (bench/booking.py's load generator): the home page, the list of services, a patient's free-slot page,
a patient's cabinet, the registrar's start page, and the booking POST. For each: requests per second,
p50/p95, and the workers' CPU milliseconds per request, the steadier figure on a shared machine. The
capacity of a 2-core machine is then about 2000 / (CPU ms per request) requests per second, less what
PostgreSQL takes when it runs on the same machine.
"""

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.booking import (  # noqa: E402
    build_get,
    build_post,
    drive,
    free_port,
    measured,
    start_gunicorn,
    stop,
)

SECRET_KEY = "bench-secret-key-not-for-production"


def prepare(database_url: str, patients: int, folder: Path) -> dict:
    """Tables, then the seeding every cluster test uses, then a signed-in registrar (in a subprocess of its
    own: the app module state of the seeding stays out of this process)."""
    env = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY=SECRET_KEY, PYTHONPATH=str(ROOT))
    python = sys.executable
    subprocess.run(
        [python, "-c", "from app import create_app; from app.extensions import db; "
         "from app.models import Base; app = create_app(); app.app_context().push(); "
         "Base.metadata.create_all(db.engine)"],
        cwd=ROOT, env=env, check=True,
    )  # fmt: skip
    out = folder / "seeded.json"
    subprocess.run(
        [python, "-m", "tests.cluster.seed", str(out), str(patients)], cwd=ROOT, env=env, check=True
    )
    data = json.loads(out.read_text())
    staff = subprocess.run(
        [python, "-c", STAFF_SESSION], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    data["registrar"], data["registrar_page"] = json.loads(staff.stdout)
    return data


STAFF_SESSION = """
import hashlib
import json
from flask import session
from flask_login import login_user
from app import create_app
from app.auth import start_page_for
from app.core.clock import now
from app.services import staff_accounts
app = create_app({"SERVER_NAME": None})
with app.test_request_context("/"):
    staff = staff_accounts.find_by_username("registrar")
    login_user(staff)
    # Flask-Login's "strong" protection binds the session to the client's address and User-Agent: the
    # load generator's, 127.0.0.1 and none (flask_login.utils._create_identifier).
    session["_id"] = hashlib.sha512(b"b'127.0.0.1'|None").hexdigest()
    session["staff_last_seen"] = now().timestamp() + 3600
    response = app.response_class()
    app.session_interface.save_session(app, session, response)
    page = start_page_for(staff)
print(json.dumps([response.headers["Set-Cookie"].split(";", 1)[0].split("=", 1)[1], page]))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=400, help="per page")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="emhana-pages-") as folder:
        database_url = args.database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
        print(f"preparing {database_url.split('@')[-1]} ...", flush=True)
        data = prepare(database_url, args.requests, Path(folder))
        env = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY=SECRET_KEY, PYTHONPATH=str(ROOT))
        env["EMHANA_LOG_LEVEL"] = "WARNING"
        port = free_port()
        server = start_gunicorn("wsgi:app", port, args.workers, env)
        (cookie, _, _), (doctor_id, _) = data["sessions"][0], data["slots"][0]
        choose = "/appointments/choose?" + urlencode({"speciality": "cardiologist", "doctor": doctor_id})
        pages = {
            "home /": build_get("/"),
            "services": build_get("/services"),
            "free slots": build_get(choose, cookie),
            "cabinet": build_get("/my/requests", cookie),
            "desk start": build_get(data["registrar_page"], data["registrar"]),
        }
        results = {}
        try:
            for name, raw in pages.items():
                asyncio.run(drive(port, [raw] * 40, 4))  # warm-up
                results[name] = measured(server, port, [raw] * args.requests, args.clients)
            posts = [
                build_post(
                    "/appointments/book", {"doctor": slot[0], "slot": slot[1], "csrf_token": s[1]}, s[0]
                )
                for s, slot in zip(data["sessions"], data["slots"], strict=False)
            ][: args.requests]
            results["booking POST"] = measured(server, port, posts, args.clients)
        finally:
            stop(server)

    print(f"\ngunicorn {args.workers} sync workers, {args.clients} concurrent clients, {os.cpu_count()} CPUs")
    print(f"{'page':<14} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'CPU ms':>7} {'2-core':>7}  statuses")
    for name, result in results.items():
        capacity = 2000 / result["cpu_ms"] if result["cpu_ms"] else float("nan")
        print(
            f"{name:<14} {result['rps']:7.1f} {result['p50_ms']:7.1f} {result['p95_ms']:7.1f} "
            f"{result['cpu_ms']:7.1f} {capacity:7.0f}  {result['statuses']}"
        )


if __name__ == "__main__":
    main()
