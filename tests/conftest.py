"""Shared fixtures. The suite runs on SQLite by default and on PostgreSQL when TEST_DATABASE_URL is set.

The schema is created once per run; each test then starts from empty tables, so tests stay independent
and fast on both databases.
"""

import os
import re
from datetime import datetime, timedelta

import pytest
from flask import g
from flask.testing import FlaskClient
from sqlalchemy import create_engine, make_url, select, text
from werkzeug.routing import Rule

from app import _normalise_database_url, create_app
from app.core.clock import ALMATY, frozen_clock
from app.core.clock import now as clock_now
from app.extensions import db
from app.models import Base

TEST_PASSWORD = "correct-horse-battery"


# Every test makes its own app, and werkzeug compiles two URL builders for each of the app's routes with
# `ast` and `compile`: 60 % of create_app. A builder is a function of the rule's text and parsed parts only
# (converters are looked up on the rule when it runs), so the suite compiles each once and every app's rules
# share it. Rules with defaults are left alone (their builder bakes a converted default in).
_compile_builder = Rule._compile_builder
_BUILDERS: dict = {}


def _shared_builder(self, append_unknown=True):
    if self.defaults:
        return _compile_builder(self, append_unknown)
    key = (self.rule, tuple(self._trace), append_unknown)
    builder = _BUILDERS.get(key)
    if builder is None:
        builder = _BUILDERS[key] = _compile_builder(self, append_unknown)
    return builder


Rule._compile_builder = _shared_builder
FAST_PASSWORD_HASH = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    if os.environ.get("EMHANA_EXPECT_POSTGRES"):
        raise pytest.UsageError(
            "EMHANA_EXPECT_POSTGRES is set but TEST_DATABASE_URL is not: refusing to fall back"
        )
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


def pytest_configure(config):
    """Under pytest-xdist (`-n 2`) each worker gets a PostgreSQL database of its own on the server that
    TEST_DATABASE_URL names (`emhana_test_gw0`, ...), made empty for the run, and TEST_DATABASE_URL names it
    for the worker's tests and fixtures (the migration tests' schemas, the backups' pg_dump). SQLite files
    are already the worker's own (each worker has its own temporary folder)."""
    url = os.environ.get("TEST_DATABASE_URL")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if url and worker:
        os.environ["TEST_DATABASE_URL"] = _worker_database(url, worker)


def _worker_database(url: str, worker: str) -> str:
    base = make_url(_normalise_database_url(url))
    name = f"{base.database}_{worker}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = _database_url(tmp_path_factory)
    engine = create_engine(_normalise_database_url(url))
    try:
        with engine.begin() as connection:
            Base.metadata.drop_all(connection)
            Base.metadata.create_all(connection)
    finally:
        engine.dispose()
    return url


class IsolatedRequestClient(FlaskClient):
    """Test client whose requests never see `g` left over from the test or an earlier request.

    The `app` fixture keeps one app context pushed so tests can call services directly; Flask reuses that
    context for the client's requests, so the per-request caches kept on `g` (locale, signed-in user,
    clinic profile) are cleared before each request, as a fresh context in production would be.
    """

    def open(self, *args, **kwargs):
        g.__dict__.clear()
        try:
            return super().open(*args, **kwargs)
        finally:
            g.__dict__.clear()


@pytest.fixture(scope="session")
def signing_key_file(tmp_path_factory):
    """The clinic's signing key for the suite (issue 21): made once, valid for every moment a test freezes."""
    from app.signing import generate_key_file, key_password

    path = tmp_path_factory.mktemp("signing") / "clinic.p12"
    generate_key_file(
        path,
        key_password({"SECRET_KEY": "test-secret"}),
        organisation="Emhana test clinic",
        moment=datetime(2020, 1, 2, tzinfo=ALMATY),
        validity=timedelta(days=365 * 20),
    )
    return path


@pytest.fixture
def app(database_url, tmp_path, signing_key_file):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "WTF_CSRF_ENABLED": False,
            "SERVER_NAME": "localhost",
            "INSTANCE_UPLOADS": str(tmp_path / "uploads"),
            "SIGNING_KEY_FILE": str(signing_key_file),
            # Argon2id at its production cost takes tens of milliseconds a hash; the suite hashes thousands.
            "PASSWORD_HASH_PARAMETERS": FAST_PASSWORD_HASH,
        }
    )
    app.test_client_class = IsolatedRequestClient
    with app.app_context():
        yield app
        db.session.remove()
        _empty_all_tables()


def _empty_all_tables():
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(Base.metadata.sorted_tables):
                connection.execute(table.delete())
    db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def csrf_app(app):
    """The app with CSRF protection on, for tests of the protection itself."""
    app.config["WTF_CSRF_ENABLED"] = True
    return app


# Every test runs on a stopped clock, so none depends on the day or the hour it runs at: a Wednesday morning,
# a working day with the clinic open. A test that needs another moment says so with `frozen(...)`.
DEFAULT_MOMENT = datetime(2026, 11, 25, 10, 0, tzinfo=ALMATY)


@pytest.fixture(autouse=True)
def _clock_stopped():
    with frozen_clock(DEFAULT_MOMENT):
        yield


@pytest.fixture
def frozen():
    """Freeze the clock at a local (Asia/Almaty) time: `frozen(2026, 11, 23, 10, 0)`."""
    stack = []

    def freeze(*args):
        context = frozen_clock(datetime(*args, tzinfo=ALMATY))
        context.__enter__()
        stack.append(context)

    yield freeze
    while stack:
        stack.pop().__exit__(None, None, None)


@pytest.fixture
def make_staff(app):
    from app.services.staff_accounts import create_staff

    def make(username="staff", roles=("registrar",), **fields):
        staff = create_staff(
            username=username,
            full_name=fields.pop("full_name", username.title()),
            password=fields.pop("password", TEST_PASSWORD),
            roles=set(roles),
            **fields,
        )
        db.session.commit()
        return staff

    return make


@pytest.fixture
def login(client, make_staff):
    """Sign in as a new staff member holding `roles`; returns that staff member."""

    def sign_in(*roles, username=None):
        username = username or "_".join(roles) or "nobody"
        staff = make_staff(username=username, roles=roles)
        response = client.post("/staff/login", data={"username": username, "password": TEST_PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)
        return staff

    return sign_in


@pytest.fixture
def demo_clinic(app):
    """The demo clinic (app.demo.seed). Seeding renders and signs its documents, seconds each time, so the
    first test seeds it for real and keeps a copy of every row; a later test on an empty database, at the
    same moment and with the same configuration, gets those rows written back (and, on PostgreSQL, the
    sequences where the seed left them): the same database the seed would have made."""
    from app.demo import seed

    db.session.commit()
    if not _database_is_empty():
        seed()
        db.session.commit()
        return
    key = (app.config["SQLALCHEMY_DATABASE_URI"], clock_now(), _config_fingerprint(app))
    snapshot = _DEMO_SNAPSHOTS.get(key)
    if snapshot is None:
        seed()
        db.session.commit()
        _DEMO_SNAPSHOTS[key] = _take_snapshot()
    else:
        _restore_snapshot(snapshot)


_DEMO_SNAPSHOTS: dict = {}
# Set per test and read by no part of the seed: paths of the test's own folders.
_PER_TEST_CONFIG = {"INSTANCE_UPLOADS"}


def _config_fingerprint(app) -> tuple:
    return tuple(sorted((k, repr(v)) for k, v in app.config.items() if k not in _PER_TEST_CONFIG))


def _database_is_empty() -> bool:
    for table in Base.metadata.sorted_tables:
        if db.session.execute(select(table).limit(1)).first() is not None:
            return False
    return True


def _take_snapshot() -> dict:
    with db.engine.connect() as connection:
        rows = {
            table.name: [dict(row._mapping) for row in connection.execute(select(table))]
            for table in Base.metadata.sorted_tables
        }
        sequences = []
        if connection.dialect.name == "postgresql":
            sequences = connection.execute(
                text("SELECT schemaname || '.' || sequencename, last_value FROM pg_sequences")
            ).all()
    return {"rows": rows, "sequences": sequences}


# Written by the database's triggers as the rows they derive from go back in (app.models.request_stage).
_KEPT_BY_TRIGGERS = {"request_stage"}


def _restore_snapshot(snapshot: dict) -> None:
    with db.engine.begin() as connection:
        for table in Base.metadata.sorted_tables:
            rows = snapshot["rows"][table.name]
            if rows and table.name not in _KEPT_BY_TRIGGERS:
                connection.execute(table.insert(), rows)
        for name, last_value in snapshot["sequences"]:
            if last_value is not None:
                values = {"name": name, "value": last_value}
                connection.execute(text("SELECT setval(:name, :value, true)"), values)


# The code step's words (app.services.otp.code_sent_notice): the same whether a code went out or the IIN has
# no phone on file or does not exist, so the page never says which, nor where the code went (issue 13).
CODE_SENT = {"kk": "6 таңбалы код жібердік", "ru": "мы отправили на него 6-значный код"}


def on_the_code_step(response) -> bool:
    text = page_text(response)
    return any(words in text for words in CODE_SENT.values())


def page_text(response) -> str:
    """Visible text of an HTML response with tags stripped and whitespace collapsed."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()
