"""Benchmark: the free-slot page and the booking POST, served by gunicorn on loopback, against a minimal Flask
route served the same way.

    .venv/bin/python bench/booking.py [--clients 100] [--requests 2000] [--workers 2] [--database-url URL]

What it does, on a fresh database (a temporary SQLite file unless --database-url is given):
1. seeds the demo clinic (doctors with weekly plans), 20 bench doctors with long days (the slots the booking
   phase takes) and N extra patients attached to the clinic in the local registry;
2. starts `gunicorn --workers W` (sync workers) on 127.0.0.1 for the app (wsgi:app) and, separately, for a
   minimal Flask app with one route (bench/minimal_app.py);
3. drives each with C concurrent keep-nothing HTTP/1.1 clients (asyncio, one connection per request, as the
   sync workers close them):
   - minimal:   GET /                                   (the framework floor)
   - app /healthz: GET /healthz of the app: its request hooks, one query, JSON (the app's own floor)
   - free slots: GET /appointments/choose?speciality=therapist&doctor=..&day=.. as a signed-in patient
                (the full page: 14 days of the demo therapist's plan and that day's free times)
   - booking:   POST /appointments/book, each request a different signed-in patient and a different free
                slot, CSRF token included (the real path: checks, registry, request + events, SMS outbox);
4. reports requests per second, p50/p95 latency, the ratio app/minimal, the workers' CPU time per request
   (user + system, from /proc), and the resident memory (VmRSS) of each worker after the run.

The load generator runs on the same two cores as the servers, so absolute numbers are lower than on a
dedicated client; the ratio is the figure to watch. On a shared machine requests per second swing with
whatever else runs; the workers' CPU milliseconds per request is the steadier figure for comparing two
versions of the code. Traffic goes to 127.0.0.1 only; every loop is bounded.
"""

import argparse
import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time as clock
from datetime import date, time, timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from app.core.actors import Actor  # noqa: E402
from app.core.clock import now  # noqa: E402
from app.core.iin import make_iin  # noqa: E402
from app.demo import seed  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Base, Patient, RegistryAttachment, RegistryPerson  # noqa: E402
from app.services import appointments, schedules  # noqa: E402
from app.services.clinic import get_clinic  # noqa: E402
from app.services.staff_accounts import create_staff  # noqa: E402

SECRET_KEY = "bench-secret-key-not-for-production"
BENCH_DOCTORS = 20  # extra doctors (cardiologists, 08:00-20:00 Mon-Sat): enough free slots for every booking
REQUEST_TIMEOUT = 30.0


# ---- preparing the database ----------------------------------------------------------------------------
def prepare(database_url: str, patients: int) -> dict:
    """Seed the demo and `patients` bench patients; return the sessions and slots the load needs."""
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": SECRET_KEY,
            "SERVER_NAME": None,
        }
    )
    with app.app_context():
        Base.metadata.drop_all(db.engine)
        Base.metadata.create_all(db.engine)
        seed()
        db.session.commit()
        long_day = schedules.DayPlan(time(8, 0), time(20, 0))
        for index in range(BENCH_DOCTORS):
            doctor = create_staff(
                username=f"bench-doctor-{index}",
                full_name=f"Бенчмарков Дәрігер {index}",
                password="bench-password-2026",
                roles={"doctor"},
                speciality="cardiologist",
                room=str(300 + index),
            )
            schedules.save_plan(
                doctor,
                slot_minutes=15,
                room=doctor.room,
                weekdays={weekday: long_day for weekday in range(1, 7)},
                actor=Actor.system(),
            )
        db.session.commit()
        clinic = get_clinic()
        district_number = 1
        iins = []
        for index in range(patients):
            birth = date(1950, 1, 1) + timedelta(days=(index * 37) % 20000)
            iin = make_iin(birth, "F" if index % 2 else "M", serial=3000 + index)
            iins.append(iin)
            person = RegistryPerson(
                iin=iin,
                last_name="Бенчмарков",
                first_name=f"Пациент{index}",
                middle_name="",
                birth_date=birth,
                sex="F" if index % 2 else "M",
                phone=f"+7702{index:07d}",
                updated_at=now(),
            )
            db.session.add(person)
            db.session.add(
                RegistryAttachment(
                    person=person, clinic_code=clinic.code, clinic_name="", district_number=district_number
                )
            )
            db.session.add(
                Patient(
                    iin=iin,
                    last_name=person.last_name,
                    first_name=person.first_name,
                    birth_date=birth,
                    sex=person.sex,
                    phone=person.phone,
                    language="kk" if index % 2 else "ru",
                    created_at=now(),
                )
            )
        db.session.commit()

        slots = []
        for schedule in schedules.doctors_with_schedules(online_only=True):
            if schedule.doctor.speciality != "cardiologist":
                continue
            for choice in appointments.days_for(schedule.doctor):
                for slot in appointments.free_slots(schedule.doctor, choice.day) if choice.is_open else []:
                    slots.append((schedule.doctor_id, slot.key))
        first_open = next(
            (
                (schedule.doctor, choice.day)
                for schedule in schedules.doctors_with_schedules(online_only=True)
                if schedule.doctor.speciality == "therapist"
                for choice in appointments.days_for(schedule.doctor)
                if choice.is_open
            ),
            None,
        )
        sessions = [_signed_in_session(app, iin) for iin in iins]
        doctor, day = first_open
        free_slot_url = "/appointments/choose?" + urlencode(
            {"speciality": doctor.speciality, "doctor": doctor.id, "day": day.isoformat()}
        )
    return {"sessions": sessions, "slots": slots, "free_slot_url": free_slot_url}


def _signed_in_session(app, iin: str) -> tuple[str, str]:
    """(session cookie, CSRF form token) of a patient who confirmed their code, made as the app makes them."""
    from flask import g, session
    from flask_wtf.csrf import generate_csrf

    from app.patient_auth import sign_in_patient

    with app.test_request_context("/"):
        g.pop("csrf_token", None)  # the app context (and its g) is shared by every call of this loop
        sign_in_patient(iin)
        token = generate_csrf()
        response = app.response_class()
        app.session_interface.save_session(app, session, response)  # the server-side row, as a request's end
        cookie = response.headers["Set-Cookie"].split(";", 1)[0].split("=", 1)[1]
    return cookie, token


# ---- servers ---------------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(target: str, port: int, workers: int, env: dict) -> subprocess.Popen:
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--bind",
        f"127.0.0.1:{port}",
        "--backlog",
        "2048",
        "--log-level",
        "warning",
        target,
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    deadline = clock.monotonic() + 30
    while clock.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process
        except OSError:
            clock.sleep(0.2)
    stop(process)
    raise RuntimeError(f"gunicorn for {target} did not start")


def worker_rss_mb(master: subprocess.Popen) -> list[float]:
    """VmRSS of each worker (the master's children), in MB."""
    sizes = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if fields.get("PPid", "").strip() == str(master.pid) and "VmRSS" in fields:
            sizes.append(int(fields["VmRSS"].split()[0]) / 1024)
    return sorted(sizes)


def workers_cpu_seconds(master: subprocess.Popen) -> float:
    """User + system CPU time the workers (the master's children) have used so far, in seconds."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[1] == str(master.pid):  # fields after the name: state, ppid, ..., utime (12), stime (13)
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def measured(master: subprocess.Popen, port: int, requests: list[bytes], clients: int) -> dict:
    """drive(), plus the workers' CPU time per request: the server's own cost, which the load generator and
    anything else running on the machine disturb far less than requests per second."""
    cpu_before = workers_cpu_seconds(master)
    result = asyncio.run(drive(port, requests, clients))
    result["cpu_ms"] = (workers_cpu_seconds(master) - cpu_before) * 1000 / max(result["requests"], 1)
    return result


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


# ---- load ------------------------------------------------------------------------------------------------
async def one_request(port: int, raw: bytes) -> tuple[int, float]:
    started = clock.perf_counter()
    reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), REQUEST_TIMEOUT)
    try:
        writer.write(raw)
        await writer.drain()
        response = await asyncio.wait_for(reader.read(), REQUEST_TIMEOUT)  # sync workers close when done
    finally:
        writer.close()
    status = int(response.split(b" ", 2)[1]) if response.startswith(b"HTTP/") else 0
    return status, clock.perf_counter() - started


def build_get(path: str, cookie: str | None = None) -> bytes:
    headers = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close", "Accept-Language: kk"]
    if cookie:
        headers.append(f"Cookie: session={cookie}")
    return ("\r\n".join(headers) + "\r\n\r\n").encode()


def build_post(path: str, form: dict, cookie: str) -> bytes:
    body = urlencode(form).encode()
    headers = [
        f"POST {path} HTTP/1.1",
        "Host: 127.0.0.1",
        "Connection: close",
        "Content-Type: application/x-www-form-urlencoded",
        f"Content-Length: {len(body)}",
        f"Cookie: session={cookie}",
    ]
    return ("\r\n".join(headers) + "\r\n\r\n").encode() + body


async def drive(port: int, requests: list[bytes], clients: int) -> dict:
    queue = list(reversed(requests))
    results: list[tuple[int, float]] = []

    async def client():
        while queue:
            raw = queue.pop()
            try:
                results.append(await one_request(port, raw))
            except (TimeoutError, OSError):
                results.append((0, REQUEST_TIMEOUT))

    started = clock.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    elapsed = clock.perf_counter() - started
    latencies = sorted(latency for _, latency in results)
    statuses: dict[int, int] = {}
    for status, _ in results:
        statuses[status] = statuses.get(status, 0) + 1
    return {
        "requests": len(results),
        "seconds": elapsed,
        "rps": len(results) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p95_ms": latencies[int(len(latencies) * 0.95) - 1] * 1000,
        "statuses": statuses,
    }


def report(name: str, result: dict, floor: dict | None = None) -> None:
    ratio = (
        f"  ratio to floor {result['rps'] / floor['rps']:.2f}, CPU {result['cpu_ms'] / floor['cpu_ms']:.0f}x"
        if floor
        else ""
    )
    print(
        f"{name:<12} {result['requests']:>5} req in {result['seconds']:6.2f} s: {result['rps']:8.1f} req/s, "
        f"p50 {result['p50_ms']:7.1f} ms, p95 {result['p95_ms']:7.1f} ms, "
        f"worker CPU {result['cpu_ms']:5.2f} ms/req, statuses {result['statuses']}{ratio}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument(
        "--requests", type=int, default=2000, help="per phase (bookings: at most the free slots)"
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="emhana-bench-") as folder:
        database_url = args.database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
        print(f"preparing {database_url.split('@')[-1]} ...", flush=True)
        data = prepare(database_url, patients=args.requests)
        bookings = min(args.requests, len(data["slots"]), len(data["sessions"]))
        print(
            f"{len(data['slots'])} free slots of the bench doctors; {bookings} booking requests", flush=True
        )

        env = dict(os.environ)
        env.update(
            DATABASE_URL=database_url,
            SECRET_KEY=SECRET_KEY,
            PYTHONPATH=str(ROOT),
        )
        results = {}
        minimal_port = free_port()
        minimal = start_gunicorn("bench.minimal_app:app", minimal_port, args.workers, env)
        try:
            asyncio.run(drive(minimal_port, [build_get("/")] * 100, 10))  # warm-up
            results["minimal"] = measured(
                minimal, minimal_port, [build_get("/")] * args.requests, args.clients
            )
            minimal_rss = worker_rss_mb(minimal)
        finally:
            stop(minimal)

        app_port = free_port()
        server = start_gunicorn("wsgi:app", app_port, args.workers, env)
        try:
            health = build_get("/healthz")
            asyncio.run(drive(app_port, [health] * 100, 10))  # warm-up
            results["app /healthz"] = measured(server, app_port, [health] * args.requests, args.clients)
            cookie, _ = data["sessions"][0]
            page = build_get(data["free_slot_url"], cookie)
            asyncio.run(drive(app_port, [page] * 100, 10))  # warm-up: templates, translations, pools
            results["free slots"] = measured(server, app_port, [page] * args.requests, args.clients)
            posts = [
                build_post(
                    "/appointments/book", {"doctor": doctor_id, "slot": key, "csrf_token": token}, cookie
                )
                for (doctor_id, key), (cookie, token) in zip(
                    data["slots"][:bookings], data["sessions"][:bookings], strict=True
                )
            ]
            results["booking"] = measured(server, app_port, posts, args.clients)
            app_rss = worker_rss_mb(server)
        finally:
            stop(server)

    print(f"\ngunicorn {args.workers} sync workers on 127.0.0.1, {args.clients} concurrent clients")
    report("minimal", results["minimal"])
    report("app /healthz", results["app /healthz"], results["minimal"])
    report("free slots", results["free slots"], results["minimal"])
    report("booking", results["booking"], results["minimal"])
    print(
        f"worker RSS after the run: app {', '.join(f'{mb:.0f}' for mb in app_rss)} MB; "
        f"minimal {', '.join(f'{mb:.0f}' for mb in minimal_rss)} MB"
    )
    booked = results["booking"]["statuses"].get(303, 0)
    print(f"bookings made: {booked} of {len(posts)} (303 = booked; 200 = refused with a message)")


if __name__ == "__main__":
    main()
