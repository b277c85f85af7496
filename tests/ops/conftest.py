"""An installation of its own for the operations tests: a migrated database (a SQLite file, or a database
of its own on the test PostgreSQL), an instance folder with uploads and a secret key, all under tmp_path."""

import os
import secrets
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import _normalise_database_url, create_app
from app.config import PROJECT_ROOT
from app.extensions import db
from app.services.staff_accounts import create_staff
from tests.conftest import FAST_PASSWORD_HASH, TEST_PASSWORD, IsolatedRequestClient


@pytest.fixture
def database_of_its_own(tmp_path):
    """The URL of an empty database nobody else uses; dropped afterwards."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path / 'instance' / 'emhana.db'}"
        return
    server = make_url(_normalise_database_url(url))
    name = f"emhana_ops_{secrets.token_hex(4)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield server.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def bare_installation(database_of_its_own, tmp_path):
    """A clinic's app on its own instance folder and an empty database, with a secret key file; its
    context is pushed for the test."""
    instance = tmp_path / "instance"
    instance.mkdir(mode=0o700)
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "unused: the instance's key file is what a backup keeps",
            "SQLALCHEMY_DATABASE_URI": database_of_its_own,
            "WTF_CSRF_ENABLED": False,
            "SERVER_NAME": "localhost",
            "INSTANCE_UPLOADS": "",
            "PASSWORD_HASH_PARAMETERS": FAST_PASSWORD_HASH,
        }
    )
    app.instance_path = str(instance)
    app.test_client_class = IsolatedRequestClient
    (instance / "secret_key").write_text(secrets.token_hex(32))
    (instance / "secret_key").chmod(0o600)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def installation(bare_installation):
    """The same, migrated to head."""
    upgrade(directory=str(PROJECT_ROOT / "migrations"))
    return bare_installation


def instance_of(app) -> Path:
    return Path(app.instance_path)


@pytest.fixture
def installation_staff(installation):
    """Staff accounts in the installation's own database (the suite's fixture of that name uses `app`)."""

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
