"""Benchmark: every staff and patient page, the CSVs, the journal PDFs and the background jobs on a generated
clinic-year, against a minimal Flask route measured in the same run (issue 22).

    .venv/bin/python bench/clinic_year.py --scale N [--seed S] [--database URL] [--only WORD ...]

- The database: bench/clinic_year_data.py (the scale table is there: 100x = 30k people, 40 doctors,
  200k requests, ~600k events, 500k audit entries). SQLite files are cached as
  tmp/bench/clinic-year-s<N>-seed<S>.db and measured on a working copy, so the bookings and jobs the
  bench runs never change the cache. With --database (PostgreSQL) the database is regenerated unless
  it already holds that scale and seed.
- The clock is frozen at a Thursday 10:00 (Asia/Almaty), so today's journal is full and tomorrow's
  reminders are due, whenever the bench runs.
- Each page is measured in a process of its own, forked from one warmed-up parent (as a gunicorn worker is):
  one warm-up request, then repeats until 1 s of CPU or 5 requests (at least 2). Figures per request: CPU ms
  (user + system of the process), SQL statements, and the process's peak RSS (MB; the parent's pages count,
  as in a worker). "x min" is the CPU ratio to a minimal Flask route (bench/minimal_app.py) measured the
  same way, in process (a test client, no HTTP): bench/booking.py gives the ratio through gunicorn.
- Background jobs (reminders, consent expiry, purge) run once each in their own process, committing as the
  command does.
"""

import argparse
import json
import os
import re
import resource
import shutil
import sys
import time as clock
import traceback
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event, func, inspect, select, text  # noqa: E402

from app import create_app  # noqa: E402
from app.core.clock import frozen_clock  # noqa: E402
from app.demo import DEMO_PASSWORD  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Appointment, AuditEntry, Patient, ServiceRequest  # noqa: E402
from bench import clinic_year_data as data  # noqa: E402
from bench.minimal_app import app as minimal_app  # noqa: E402

SECRET_KEY = "bench-secret-key-not-for-production"
CACHE = ROOT / "tmp" / "bench"
MIN_CPU_SECONDS = 1.0
MAX_REPEATS = 5


def make_app(database_url: str):
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": SECRET_KEY,
            "SERVER_NAME": None,
            "LOG_LEVEL": "WARNING",
        }
    )


# ---- the database ----------------------------------------------------------------------------------------
def prepare_database(scale: int, seed: int, database_url: str | None) -> tuple[str, float | None]:
    """The URL to measure on, and the seconds the generation took (None: taken from the cache)."""
    if database_url is None:
        CACHE.mkdir(parents=True, exist_ok=True)
        cached = CACHE / f"clinic-year-s{scale}-seed{seed}.db"
        seconds = None
        if not cached.exists():
            building = cached.with_suffix(".building")
            building.unlink(missing_ok=True)
            seconds = _generate_in_child(f"sqlite:///{building}", scale, seed)
            building.rename(cached)
        working = CACHE / f"working-s{scale}-seed{seed}.db"
        for leftover in (working.with_name(working.name + "-wal"), working.with_name(working.name + "-shm")):
            leftover.unlink(missing_ok=True)
        shutil.copyfile(cached, working)
        _add_missing_indexes(f"sqlite:///{working}")
        return f"sqlite:///{working}", seconds
    key = f"clinic-year scale={scale} seed={seed}"
    app = make_app(database_url)
    with app.app_context():
        try:
            found = db.session.execute(text("SELECT key FROM bench_marker")).scalar()
        except Exception:  # noqa: BLE001 - no marker table: a fresh database
            db.session.rollback()
            found = None
        db.engine.dispose()
    if found == key:  # today's schema and derived tables, as for a cached SQLite file
        _add_missing_indexes(database_url)
        return database_url, None
    seconds = _generate_in_child(database_url, scale, seed)
    app = make_app(database_url)
    with app.app_context():
        db.session.execute(text("DROP TABLE IF EXISTS bench_marker"))
        db.session.execute(text("CREATE TABLE bench_marker (key VARCHAR(100))"))
        db.session.execute(text("INSERT INTO bench_marker VALUES (:key)"), {"key": key})
        db.session.commit()
        db.engine.dispose()
    return database_url, seconds


def _add_missing_indexes(database_url: str) -> None:
    """A file cached before the models gained a table, a column or an index gets it here: the same rows,
    today's schema (a new column gets its default, or '' / 0 when it has none), and the derived tables
    the migrations backfill are filled from the rows (data.backfill)."""
    app = make_app(database_url)
    with app.app_context():
        data.Base.metadata.create_all(db.engine, checkfirst=True)
        present = inspect(db.engine)
        for table in data.Base.metadata.sorted_tables:
            have = {column["name"] for column in present.get_columns(table.name)}
            for column in table.columns:
                if column.name not in have:
                    _add_column(table.name, column)
            for index in table.indexes:
                index.create(db.engine, checkfirst=True)
        data.backfill()
        db.session.commit()
        db.engine.dispose()


def _add_column(table_name: str, column) -> None:
    kind = column.type.compile(dialect=db.engine.dialect)
    default = column.default.arg if column.default is not None and not callable(column.default.arg) else None
    if default is None and not column.nullable:
        default = 0 if column.type.python_type in (int, float, bool) else ""
    clause = "" if default is None else f" NOT NULL DEFAULT {default!r}" if not column.nullable else ""
    if default is not None and column.nullable:
        clause = f" DEFAULT {default!r}"
    with db.engine.begin() as connection:
        connection.execute(text(f"ALTER TABLE {table_name} ADD COLUMN {column.name} {kind}{clause}"))


def _generate_in_child(database_url: str, scale: int, seed: int) -> float:
    """Generation in a process of its own: its memory never counts in the pages' peak RSS."""
    started = clock.perf_counter()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            app = make_app(database_url)
            with app.app_context(), frozen_clock(data.BENCH_NOW):
                if db.engine.dialect.name == "postgresql":
                    db.session.execute(text("DROP TABLE IF EXISTS bench_marker"))
                    db.session.commit()
                data.generate(scale, seed, log=lambda line: print(line, flush=True))
                if db.engine.dialect.name == "sqlite":  # everything into the file itself, none left in -wal
                    db.session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
                db.session.close()
                db.engine.dispose()
            code = 0
        except Exception:  # noqa: BLE001 - shown, then the parent stops
            traceback.print_exc()
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    if status != 0:
        raise SystemExit("generation failed")
    return clock.perf_counter() - started


# ---- measuring -------------------------------------------------------------------------------------------
_statements = [0]
_engines = []  # the app's engine: a forked process must not share its parent's connections


def _count_statement(*_args, **_kwargs) -> None:
    _statements[0] += 1


def in_child(action, *, repeats: bool = True) -> dict:
    """Run `action` (returns an HTTP status or a note) in a forked process: warm-up, then repeats."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        result = {}
        try:
            for engine in _engines:
                engine.dispose(close=False)
            if repeats:
                action(0)
            runs, cpu, statements, status = 0, 0.0, 0, None
            while runs < (MAX_REPEATS if repeats else 1):
                _statements[0] = 0
                started = clock.process_time()
                status = action(runs + 1)
                cpu += clock.process_time() - started
                statements += _statements[0]
                runs += 1
                if repeats and runs >= 2 and cpu >= MIN_CPU_SECONDS:
                    break
            result = {
                "cpu_ms": cpu * 1000 / runs,
                "statements": statements / runs,
                "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "status": status,
                "runs": runs,
            }
        except Exception as error:  # noqa: BLE001 - reported in the table, the bench goes on
            result = {"error": f"{type(error).__name__}: {error}"[:200]}
        finally:
            os.write(write_end, json.dumps(result).encode())
            os._exit(0)
    os.close(write_end)
    chunks = []
    while chunk := os.read(read_end, 65536):
        chunks.append(chunk)
    os.close(read_end)
    os.waitpid(pid, 0)
    return json.loads(b"".join(chunks) or b"{}")


def minimal_floor() -> dict:
    client = minimal_app.test_client()

    def hundred(_run):
        for _ in range(100):
            status = client.get("/").status_code
        return status

    result = in_child(hundred)
    result["cpu_ms"] /= 100
    return result


class Clients:
    """Signed-in test clients made in the parent (password checks are not what the bench measures)."""

    def __init__(self, app):
        self.app = app
        self.staff = {}

    def staff_client(self, username: str):
        if username not in self.staff:
            client = self.app.test_client()
            password = data.BENCH_PASSWORD if username.startswith("bench-") else DEMO_PASSWORD
            token = _csrf_token(client, "/staff/login")
            response = client.post(
                "/staff/login", data={"username": username, "password": password, "csrf_token": token}
            )
            if response.status_code != 302:
                raise RuntimeError(f"{username} could not sign in: {response.status_code}")
            self.staff[username] = client
        return self.staff[username]

    def patient_client(self, iin: str):
        client = self.app.test_client()
        with frozen_clock(data.BENCH_NOW), client.session_transaction() as session:
            session["patient_iin"] = iin
            session["patient_seen_at"] = data.BENCH_NOW.timestamp()
        return client


def _csrf_token(client, url: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(url).get_data(as_text=True))
    return found.group(1) if found else ""


def _get(client, url: str):
    def action(_run):
        response = client.get(url, headers={"Accept-Language": "kk"})
        response.get_data()
        return response.status_code

    return action


def pages(app, clients: Clients) -> list[tuple[str, str, object]]:
    """(group, label, action) for every page the bench measures."""
    today = data.BENCH_NOW.date()
    year_from = (today - timedelta(days=365 - 1)).isoformat()
    with app.app_context():
        patient_id, iin = db.session.execute(
            select(Patient.id, Patient.iin)
            .join(Appointment, Appointment.patient_id == Patient.id)
            .where(Appointment.doctor_id.in_(select(Appointment.doctor_id).where(Appointment.id > 0)))
            .group_by(Patient.id, Patient.iin)
            .order_by(Patient.id.desc())
            .limit(1)
        ).one()
        number = db.session.scalar(
            select(ServiceRequest.number)
            .where(ServiceRequest.subject_id == patient_id, ServiceRequest.service == "appointment")
            .order_by(ServiceRequest.id.desc())
            .limit(1)
        )
        doctor = db.session.execute(
            text("SELECT id FROM staff_member WHERE username = 'therapist1'")
        ).scalar()
        # The audit log's filters and a page deep in it: the staff member and the patient with most entries,
        # and the entry 5,000 from the newest (the 101st page of 50; the link carries both the page number
        # the viewer used to take and the last entry seen that it takes now).
        busiest_staff = db.session.scalar(
            select(AuditEntry.staff_id).group_by(AuditEntry.staff_id).order_by(func.count().desc()).limit(1)
        )
        busiest_patient = db.session.scalar(
            select(AuditEntry.patient_id)
            .where(AuditEntry.patient_id.is_not(None))
            .group_by(AuditEntry.patient_id)
            .order_by(func.count().desc())
            .limit(1)
        )
        deep_at, deep_id = db.session.execute(
            select(AuditEntry.at, AuditEntry.id)
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .offset(5000 - 1)
            .limit(1)
        ).one()
        month = f"date_from={today.replace(day=1)}&date_to={today}"
        deep_page = f"page=101&before_at={deep_at.strftime('%Y-%m-%dT%H:%M:%S.%f')}&before_id={deep_id}"
    patient = clients.patient_client(iin)
    registrar = clients.staff_client("registrar")
    head = clients.staff_client("head")
    admin = clients.staff_client("admin")
    therapist = clients.staff_client("therapist1")
    free_day = (today + timedelta(days=1)).isoformat()
    listed = [
        ("patient", "home /", patient, "/"),
        ("patient", "services", patient, "/services"),
        ("patient", "booking start", patient, "/appointments/"),
        (
            "patient",
            "free-slot page",
            patient,
            f"/appointments/choose?speciality=therapist&doctor={doctor}&day={free_day}",
        ),
        ("patient", "my booking", patient, f"/appointments/{number}"),
        ("patient", "/status/<number>", patient, f"/status/{number}"),
        ("patient", "cabinet /my/", patient, "/my/"),
        ("patient", "cabinet requests", patient, "/my/requests"),
        ("staff", "registrar start", registrar, "/staff/registrar"),
        ("staff", "appointments desk", registrar, "/staff/appointments/"),
        ("staff", "journal, all doctors", registrar, f"/staff/appointments/journal?day={today}"),
        ("staff", "desk patient", registrar, f"/staff/appointments/patients/{patient_id}"),
        ("staff", "schedules", head, "/staff/appointments/schedules"),
        ("staff", "home-call journal", registrar, "/staff/home-visits/"),
        ("staff", "attachment queue", registrar, "/staff/attachment/"),
        ("staff", "population view", registrar, "/staff/attachment/population"),
        ("staff", "complaints list", head, "/staff/complaints"),
        ("staff", "registry pending", registrar, "/staff/registry-pending/"),
        ("staff", "doctor start", therapist, "/staff/doctor"),
        ("staff", "doctor visits", therapist, f"/staff/appointments/visits?day={today}"),
        ("staff", "head start", head, "/staff/head"),
        ("staff", "monitoring, month", head, "/staff/monitoring"),
        ("staff", "monitoring, year", head, f"/staff/monitoring?date_from={year_from}&date_to={today}"),
        ("staff", "admin start", admin, "/admin/"),
        ("staff", "audit log", admin, "/admin/audit"),
        ("staff", "audit log, one staff member", admin, f"/admin/audit?staff={busiest_staff}"),
        ("staff", "audit log, one patient", admin, f"/admin/audit?patient={busiest_patient}"),
        ("staff", "audit log, a rare action", admin, "/admin/audit?action=sign"),
        ("staff", "audit log, a month", admin, f"/admin/audit?{month}"),
        ("staff", "audit log, page 101", admin, f"/admin/audit?{deep_page}"),
        ("staff", "staff list", admin, "/admin/staff"),
        ("staff", "registry", admin, "/admin/registry/"),
        ("staff", "SMS outbox", admin, "/admin/outbox/"),
        ("csv", "monitoring CSV, month", head, "/staff/monitoring.csv"),
        ("csv", "monitoring CSV, year", head, f"/staff/monitoring.csv?date_from={year_from}&date_to={today}"),
        ("csv", "registry export CSV", admin, "/admin/registry/export.csv"),
        ("pdf", "journal PDF, all doctors", registrar, f"/staff/appointments/journal.pdf?day={today}"),
    ]
    found = [(group, label, _get(client, url)) for group, label, client, url in listed]
    found.append(("patient", "booking POST", _booking_post(app, clients, doctor)))
    return found


def _booking_post(app, clients: Clients, doctor_id: int):
    """Each request: another signed-in patient books another free slot of a bench doctor (CSRF included)."""
    with app.app_context(), frozen_clock(data.BENCH_NOW):
        from app.services import appointments

        bench_doctor = db.session.execute(
            text("SELECT id FROM staff_member WHERE username = 'bench-doctor-01'")
        ).scalar()
        doctor = db.session.get(data.StaffMember, bench_doctor)
        slots = []
        for choice in appointments.days_for(doctor)[3:]:
            if choice.is_open:
                slots.extend(slot.key for slot in appointments.free_slots(doctor, choice.day))
            if len(slots) > MAX_REPEATS + 2:
                break
        booked = select(Appointment.patient_id).where(Appointment.speciality == doctor.speciality)
        iins = list(
            db.session.scalars(
                select(Patient.iin)
                .where(Patient.id.not_in(booked), Patient.phone != "")
                .limit(MAX_REPEATS + 1)
            )
        )
    patients = []
    for iin in iins:
        client = clients.patient_client(iin)
        token = _csrf_token(
            client, f"/appointments/choose?speciality={doctor.speciality}&doctor={bench_doctor}"
        )
        patients.append((client, token))

    def action(run):
        client, token = patients[run]
        response = client.post(
            "/appointments/book", data={"doctor": bench_doctor, "slot": slots[run], "csrf_token": token}
        )
        return response.status_code

    return action


def jobs(app) -> list[tuple[str, str, object]]:
    from app.ops.purge import purge
    from app.services import appointments, certificates

    def job(function):
        def action(_run):
            with app.app_context():
                result = function()
                db.session.commit()
            return str(result)[:40]

        return action

    return [
        ("job", "send-reminders", job(appointments.send_reminders)),
        ("job", "expire-consents", job(certificates.expire_overdue_consents)),
        ("job", "purge", job(purge)),
    ]


# ---- the table -------------------------------------------------------------------------------------------
def print_table(title: str, floor: dict, results: list[tuple[str, str, dict]]) -> None:
    print(f"\n{title}")
    print(
        f"minimal Flask route: {floor['cpu_ms']:.2f} ms CPU per request, peak RSS {floor['rss_mb']:.0f} MB\n"
    )
    print("| group | page | CPU ms | x min | SQL | peak RSS MB | status |")
    print("|---|---|---:|---:|---:|---:|---|")
    for group, label, result in results:
        if "error" in result:
            print(f"| {group} | {label} | - | - | - | - | {result['error']} |")
            continue
        print(
            f"| {group} | {label} | {result['cpu_ms']:.1f} | {result['cpu_ms'] / floor['cpu_ms']:.0f} "
            f"| {result['statements']:.0f} | {result['rss_mb']:.0f} | {result['status']} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database", default=None, help="a PostgreSQL URL; default: a cached SQLite file")
    parser.add_argument("--only", nargs="*", default=None, help="measure only pages whose label has a word")
    args = parser.parse_args()

    database_url, seconds = prepare_database(args.scale, args.seed, args.database)
    dialect = database_url.split(":", 1)[0].split("+")[0]
    generated = f"generated in {seconds:.0f} s" if seconds is not None else "from the cache"
    print(f"clinic-year scale {args.scale}, seed {args.seed}, {dialect} ({generated})", flush=True)

    app = make_app(database_url)
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", _count_statement)
        _engines.append(db.engine)
        counts = {
            table: db.session.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar()
            for table in ("patient", "service_request", "request_event", "audit_entry", "appointment")
        }
        db.session.rollback()
    print(", ".join(f"{table} {count:,}" for table, count in counts.items()), flush=True)

    floor = minimal_floor()
    results = []
    with frozen_clock(data.BENCH_NOW):
        clients = Clients(app)
        measured = pages(app, clients)
        measured += jobs(app)
        for group, label, action in measured:
            if args.only and not any(word in label for word in args.only):
                continue
            result = in_child(action, repeats=group != "job")
            results.append((group, label, result))
            shown = result.get("error") or f"{result['cpu_ms']:.1f} ms, {result['statements']:.0f} SQL"
            print(f"  {label}: {shown}", flush=True, file=sys.stderr)
    print_table(
        f"scale {args.scale} ({counts['service_request']:,} requests), {dialect}",
        floor,
        results,
    )


if __name__ == "__main__":
    main()
