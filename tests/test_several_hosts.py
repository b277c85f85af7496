"""More than one app process or host (issue 23, docs/scaling.md): nothing one process needs lives only in
another. The real thing, two processes behind nginx on a primary and a standby, is tests/cluster/."""

import fcntl
from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from app.core.iin import make_iin
from app.extensions import db
from app.models import Clinic
from app.ops.migration_lock import ADVISORY_KEY, migration_lock
from app.registries import RegistryUnavailable
from app.registries.http import HttpRegistry
from app.registries.shared import DatabaseState, SharedCacheVersion, SharedCircuit
from app.security import SeveralHostsMisconfigured, check_configuration
from app.services import local_registry, uploads
from app.services.local_registry import PersonRecord
from tests.registry_gateway import TOKEN, GatewayServer

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
POSTGRES = "postgresql+psycopg://emhana@db.clinic.local/emhana"
SEVERAL = {"HOSTS": 2, "SECRET_KEY": "k", "SQLALCHEMY_DATABASE_URI": POSTGRES}


# ---- configuration -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "settings, complaint",
    [
        ({"HOSTS": 2, "SQLALCHEMY_DATABASE_URI": POSTGRES}, "SECRET_KEY"),
        ({"HOSTS": 2, "SECRET_KEY": "k", "SQLALCHEMY_DATABASE_URI": "sqlite:///x.db"}, "PostgreSQL"),
        ({**SEVERAL, "UPLOAD_STORAGE": "disk"}, "disk"),
        ({"HOSTS": "two"}, "number"),
    ],
)
def test_several_hosts_refuse_state_that_would_stay_on_one_machine(settings, complaint):
    with pytest.raises(SeveralHostsMisconfigured, match=complaint):
        check_configuration(settings)


def test_one_host_or_several_properly_configured_start():
    check_configuration({"HOSTS": 1})
    check_configuration({"HOSTS": 3, "SECRET_KEY": "same-everywhere", "SQLALCHEMY_DATABASE_URI": POSTGRES})
    assert uploads.storage({"HOSTS": 3}) == "database"
    assert uploads.storage({"HOSTS": 1}) == "disk"
    assert uploads.storage({"HOSTS": 1, "UPLOAD_STORAGE": "database"}) == "database"


# ---- files kept in the database ------------------------------------------------------------------------
def test_an_upload_kept_in_the_database_is_read_back_without_touching_the_disk(app):
    app.config["UPLOAD_STORAGE"] = "database"
    stored = uploads.save(uploads.CheckedUpload(PNG, "image/png", ".png", "scan.png"))
    assert uploads.path_of(stored.stored_name) is None  # nothing on this machine's disk
    assert uploads.read(stored.stored_name) == PNG
    app.config["UPLOAD_STORAGE"] = "disk"  # switched back: the earlier file is still found
    assert uploads.read(stored.stored_name) == PNG
    uploads.remove(stored.stored_name)
    assert uploads.read(stored.stored_name) is None
    assert uploads.read("../../etc/passwd") is None


# ---- the registry's circuit and cache, shared ----------------------------------------------------------
def two_processes(url: str, **options) -> tuple[HttpRegistry, HttpRegistry]:
    """Two adapters as two worker processes have them: their own memory, one database."""
    state = DatabaseState(lambda: db.engine)
    return tuple(
        HttpRegistry(
            url,
            TOKEN,
            connect_timeout=2,
            read_timeout=5,
            backoff=0.01,
            shared_circuit=SharedCircuit(state, "registry"),
            shared_cache_version=SharedCacheVersion(state, "registry"),
            **options,
        )
        for _ in range(2)
    )


def test_failures_seen_by_one_process_open_the_circuit_for_every_process(app):
    first, second = two_processes("http://127.0.0.1:9/v1", retries=0, circuit_failures=2, circuit_cooldown=60)
    iin = make_iin(date(1980, 5, 17), "F", serial=101)
    for _ in range(2):
        with pytest.raises(RegistryUnavailable) as failure:
            first.find_person(iin)
        assert failure.value.reason == "connection_error"
    with pytest.raises(RegistryUnavailable) as refused:
        second.find_person(iin)  # never called the gateway: the other process's failures count
    assert refused.value.reason == "circuit_open"
    assert second.circuit_state == "open"


def test_an_attachment_made_through_one_process_is_never_shown_stale_by_another(app, database_url):
    db.session.add(Clinic(name_kk="№7 емхана", name_ru="Поликлиника №7", code="EMH-0007"))
    iin = make_iin(date(1999, 9, 9), "M", serial=303)
    local_registry.create_person(PersonRecord(iin=iin, last_name="Ким", first_name="Виктор"))
    db.session.commit()
    server = GatewayServer.start(database_url)
    try:
        reader, writer = two_processes(server.url, cache_seconds=60)
        unshared = HttpRegistry(server.url, TOKEN, cache_seconds=60)
        assert not reader.attachment_of(iin).is_attached  # now cached in the reader
        assert not unshared.attachment_of(iin).is_attached
        writer.attach(iin, "EMH-0007", 3, date(2026, 12, 3), free_choice=True)
        assert reader.attachment_of(iin).district_number == 3
        assert not unshared.attachment_of(iin).is_attached  # what each process's own cache alone would show
    finally:
        server.stop()


# ---- one migration at a time -----------------------------------------------------------------------------
def test_the_migration_lock_keeps_a_second_upgrade_waiting(app, tmp_path):
    engine = db.engine
    with migration_lock(engine, fallback_folder=tmp_path):
        if engine.dialect.name == "postgresql":
            with engine.connect() as other:
                taken = other.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY})
                assert taken.scalar() is False
        else:
            lock_file = next(
                path
                for path in (tmp_path / "emhana-migrate.lock", *tmp_path.parent.glob("*/emhana-migrate.lock"))
                if path.exists()
            )
            with open(lock_file) as handle, pytest.raises(BlockingIOError):
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    if engine.dialect.name == "postgresql":
        with engine.connect() as other:
            assert other.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY}).scalar()
            other.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY})


# ---- a lost database connection ------------------------------------------------------------------------
def lost() -> OperationalError:
    gone = Exception("server closed the connection unexpectedly")
    return OperationalError("SELECT 1", {}, gone, connection_invalidated=True)


def test_a_read_is_run_again_and_a_write_in_flight_is_told_to_retry(app):
    calls = {"read": 0, "write": 0, "broken": 0}

    def read():
        calls["read"] += 1
        if calls["read"] == 1:
            raise lost()
        return "fresh"

    def write():
        calls["write"] += 1
        raise lost()

    def broken():
        calls["broken"] += 1
        raise lost()

    app.add_url_rule("/test-read", "test_read", read)
    app.add_url_rule("/test-write", "test_write", write, methods=["POST"])
    app.add_url_rule("/test-broken", "test_broken", broken)
    client = app.test_client()

    response = client.get("/test-read")
    assert (response.status_code, response.get_data(as_text=True), calls["read"]) == (200, "fresh", 2)

    client.set_cookie("emhana_lang", "ru")
    written = client.post("/test-write")
    assert written.status_code == 503 and calls["write"] == 1  # never sent twice
    assert "мог не сохраниться" in written.get_data(as_text=True)

    client.set_cookie("emhana_lang", "kk")
    down = client.get("/test-broken")
    assert down.status_code == 503 and calls["broken"] == 2  # the retry, then the message
    assert "дерекқормен байланыс үзілді" in down.get_data(as_text=True).lower()
