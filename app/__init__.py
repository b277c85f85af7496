"""Emhana: e-services of a district polyclinic. `create_app()` builds the Flask application."""

import gc
import logging
import os
import secrets
import sqlite3
from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import configure_mappers

from app import auth, channels, cli, errors, input_guard, notify, reconnect, security, sessions, templating
from app.blueprints import BLUEPRINTS
from app.config import PROJECT_ROOT, DefaultConfig
from app.core import i18n
from app.extensions import babel, csrf, db, login_manager, migrate
from app.ops import logs

log = logging.getLogger(__name__)

# Environment variables read on top of instance/config.py. Anything else can be set as EMHANA_<NAME>.
ENVIRONMENT_SETTINGS = {
    "DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
    "SECRET_KEY": "SECRET_KEY",
    "REGISTRY_BACKEND": "REGISTRY_BACKEND",
    "SMS_BACKEND": "SMS_BACKEND",
}


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_path=str(PROJECT_ROOT / "instance"), instance_relative_config=True)
    app.config.from_object(DefaultConfig)
    app.config.from_pyfile("config.py", silent=True)
    for variable, setting in ENVIRONMENT_SETTINGS.items():
        if os.environ.get(variable):
            app.config[setting] = os.environ[variable]
    app.config.from_prefixed_env("EMHANA")
    if test_config:
        app.config.from_mapping(test_config)

    logs.init_app(app)  # first: its request id is there for every later hook's log lines
    notify.check_configuration(app.config)
    security.check_configuration(app.config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(Path(app.instance_path))
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(app.instance_path) / 'emhana.db'}"
    app.config["SQLALCHEMY_DATABASE_URI"] = _normalise_database_url(app.config["SQLALCHEMY_DATABASE_URI"])
    # Flask-Babel resolves relative directories against the app package, so give it an absolute path.
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(PROJECT_ROOT / "translations")

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=lambda: "Asia/Almaty")
    csrf.init_app(app)
    login_manager.init_app(app)

    input_guard.init_app(app)
    security.init_app(app)
    sessions.init_app(app)
    auth.init_app(app)
    channels.init_app(app)
    templating.init_app(app)
    errors.init_app(app)
    reconnect.init_app(app)
    cli.init_app(app)
    _register_blueprints(app)
    app.after_request(_commit_or_roll_back)
    return app


def freeze_startup_objects() -> None:
    """For a long-running worker, once the app is built (wsgi.py): what exists now (modules, the app, its
    routes and models, about 170,000 objects) lives as long as the process, so move it out of the garbage
    collector's reach. Rendering a PDF makes enough objects to trigger a full collection every twenty
    requests or so, and walking the startup objects made each a 100 ms pause inside a request (issue 7);
    what the first requests build later (lazy imports, statement caches) keeps it at about 20 ms."""
    configure_mappers()  # done on first use otherwise, after the freeze
    gc.collect()  # what is garbage already is freed, not frozen for good
    gc.freeze()


def _commit_or_roll_back(response):
    """One commit per request, here; views and services only flush. A failed request changes nothing."""
    if response.status_code < 400:
        db.session.commit()
    else:
        db.session.rollback()
    return response


def _register_blueprints(app: Flask) -> None:
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)


def _instance_secret_key(instance: Path) -> str:
    """Generate the key once per installation; it never appears in the repository."""
    key_file = instance / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
        log.info("generated a new secret key in %s", key_file)
    return key_file.read_text().strip()


def _normalise_database_url(url: str) -> str:
    # Hosting panels hand out postgres:// URLs; SQLAlchemy wants an explicit driver.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """WAL lets readers work while a booking writes; foreign keys are off by default in SQLite."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
