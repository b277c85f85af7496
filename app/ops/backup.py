"""One archive holds everything a clinic needs to start again on another machine.

    path = backup.create(Path("/var/backups/emhana"))     # emhana-20261125T050000Z-0005.tar.gz, mode 0600
    manifest = backup.restore(path)                        # the database, uploads and key, migrated to head

The archive (a gzipped tar) holds:
    manifest.json          versions (app, Python, database server), schema revision, SHA-256 of every file
    database/emhana.sqlite3  a snapshot through SQLite's online backup API (a WAL database cannot be copied)
    database/emhana.pgdump   or `pg_dump -Fc` of the PostgreSQL database (one consistent snapshot)
    uploads/...            the files brought to the desk (INSTANCE_UPLOADS)
    instance/...           instance/secret_key (without it sessions and signed links of the old server die),
                           instance/config.py and any other key kept there (a document-signing key)

A restore checks every checksum before it touches anything, refuses an archive whose schema revision this
code does not know (taken by a newer version: upgrade the code first) or of another database kind, replaces
the database, uploads and key, then migrates an older schema to this code's head. Everything it writes is
readable by the app's user only (files 0600, folders 0700).
"""

import hashlib
import importlib.metadata
import json
import logging
import os
import platform
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from flask import current_app
from flask_migrate import upgrade
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.config import PROJECT_ROOT
from app.core.clock import now
from app.extensions import db

log = logging.getLogger(__name__)

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database/emhana.sqlite3"
PG_MEMBER = "database/emhana.pgdump"
INSTANCE_PREFIX = "instance/"
KEY_MEMBER = INSTANCE_PREFIX + "secret_key"
UPLOADS_PREFIX = "uploads/"
ARCHIVE_GLOB = "emhana-*.tar.gz"
_CHUNK = 1024 * 1024


class BackupError(RuntimeError):
    """The backup or restore could not be done; the message says why, for the administrator."""


@dataclass(frozen=True)
class Revisions:
    head: str
    known: frozenset[str]


# ---- where things are ----------------------------------------------------------------------------------
def uploads_dir() -> Path:
    configured = current_app.config.get("INSTANCE_UPLOADS")
    return Path(configured) if configured else Path(current_app.instance_path) / "uploads"


def default_dir() -> Path:
    configured = current_app.config.get("BACKUP_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "backups"


def _history() -> list[str]:
    script = ScriptDirectory.from_config(_alembic_config())
    return [revision.revision for revision in reversed(list(script.walk_revisions()))]


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    return config


def revisions() -> Revisions:
    history = _history()
    return Revisions(head=history[-1], known=frozenset(history))


def current_revision() -> str | None:
    """The schema revision of the configured database (None when it was never migrated)."""
    with db.engine.connect() as connection:
        try:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except Exception:  # no alembic_version table: a database built without migrations
            return None


def app_version() -> str:
    """pyproject.toml's version: a clinic's install runs from the checkout without installing the project."""
    try:
        return tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        try:
            return importlib.metadata.version("emhana")
        except importlib.metadata.PackageNotFoundError:
            return "unknown"


def _dialect() -> str:
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name()


# ---- files only the app's user can read ------------------------------------------------------------------
def _private_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# ---- taking a backup -----------------------------------------------------------------------------------
def create(directory: Path | None = None, *, keep: int | None = None) -> Path:
    """Write one archive into `directory` (default BACKUP_DIR or <instance>/backups) and return its path.
    With `keep`, only the newest `keep` archives of the folder stay (the nightly timer's rotation)."""
    directory = _private_dir(Path(directory) if directory else default_dir())
    dialect = _dialect()
    stamp = now().strftime("%Y%m%dT%H%M%SZ")
    with tempfile.TemporaryDirectory(dir=directory, prefix=".staging-") as staging_name:
        staging = Path(staging_name)
        files: dict[str, Path] = {}
        if dialect == "sqlite":
            files[SQLITE_MEMBER] = _snapshot_sqlite(staging / "emhana.sqlite3")
            revision = _sqlite_revision(files[SQLITE_MEMBER])
            server = sqlite3.sqlite_version
        elif dialect == "postgresql":
            revision = current_revision()
            files[PG_MEMBER] = _dump_postgres(staging / "emhana.pgdump")
            server = _postgres_version()
        else:
            raise BackupError(f"cannot back up a {dialect} database")
        uploads = uploads_dir()
        if uploads.is_dir():
            for path in sorted(p for p in uploads.rglob("*") if p.is_file()):
                files[UPLOADS_PREFIX + path.relative_to(uploads).as_posix()] = path
        files.update(_instance_files())
        manifest = {
            "format": FORMAT,
            "app": "emhana",
            "app_version": app_version(),
            "python": platform.python_version(),
            "created_at": now().isoformat(),
            "schema_revision": revision,
            "database": {"dialect": dialect, "server_version": server},
            "secret_key": "instance" if KEY_MEMBER in files else "environment",
            "files": {name: _sha256(path) for name, path in files.items()},
        }
        manifest_path = staging / MANIFEST
        manifest_path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
        final = _free_name(directory, f"emhana-{stamp}-{revision or 'none'}")
        partial = staging / "archive.tar.gz"
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(manifest_path, arcname=MANIFEST)
            for name, path in files.items():
                archive.add(path, arcname=name, recursive=False)
        partial.chmod(0o600)
        os.replace(partial, final)
    log.info("backup written to %s (%d files, schema %s)", final, len(files), revision)
    if keep:
        rotate(directory, keep)
    return final


def _instance_files() -> dict[str, Path]:
    """The secret key and whatever else the instance folder keeps beside the data: instance/config.py, a
    document-signing key and its certificate, ... Not the SQLite files (the snapshot stands for them), the
    uploads (their own part), backups, or a backup's or restore's work folder."""
    instance = Path(current_app.instance_path).resolve()
    skipped = {uploads_dir().resolve(), default_dir().resolve()}
    database = _sqlite_path().resolve() if _dialect() == "sqlite" else None
    found = {}
    for path in sorted(instance.rglob("*")):
        relative = path.relative_to(instance)
        if not path.is_file() or any(part.startswith((".staging-", ".restore-")) for part in relative.parts):
            continue
        if any(folder == path or folder in path.parents for folder in skipped):
            continue
        if database is not None and path.name.startswith(database.name) and path.parent == database.parent:
            continue
        found[INSTANCE_PREFIX + relative.as_posix()] = path
    return found


def _put_back_instance_files(restored: Path) -> None:
    if not restored.is_dir():
        return
    instance = Path(current_app.instance_path)
    for path in sorted(p for p in restored.rglob("*") if p.is_file()):
        target = instance / path.relative_to(restored)
        _private_dir(target.parent)
        target.write_bytes(path.read_bytes())
        target.chmod(0o600)


def _free_name(directory: Path, stem: str) -> Path:
    candidate, counter = directory / f"{stem}.tar.gz", 1
    while candidate.exists():
        counter += 1
        candidate = directory / f"{stem}-{counter}.tar.gz"
    return candidate


def rotate(directory: Path, keep: int) -> list[Path]:
    """Remove all but the newest `keep` archives in `directory`; returns what was removed."""
    archives = sorted(directory.glob(ARCHIVE_GLOB))  # the names begin with the UTC time they were taken
    removed = archives[: max(len(archives) - keep, 0)]
    for path in removed:
        path.unlink()
        log.info("old backup %s removed (keeping %d)", path, keep)
    return removed


def _sqlite_path() -> Path:
    database = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).database
    if not database or database == ":memory:":
        raise BackupError("the SQLite database is in memory: nothing to back up")
    return Path(database)


def _snapshot_sqlite(target: Path) -> Path:
    """A consistent copy while the app keeps working: the backup API copies every page in one step, under
    a read transaction, so bookings written meanwhile are either wholly in it or not at all."""
    source = sqlite3.connect(f"file:{_sqlite_path()}?mode=ro", uri=True)
    destination = sqlite3.connect(target)
    try:
        with destination:
            source.backup(destination, pages=-1)
        destination.execute("PRAGMA journal_mode=DELETE")  # one self-contained file in the archive
    finally:
        destination.close()
        source.close()
    target.chmod(0o600)
    return target


def _sqlite_revision(path: Path) -> str | None:
    connection = sqlite3.connect(path)
    try:
        return connection.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    except sqlite3.OperationalError:
        return None
    finally:
        connection.close()


# ---- PostgreSQL through its own tools --------------------------------------------------------------------
def pg_tool(name: str) -> str:
    """The newest installed `pg_dump`/`pg_restore` (Debian keeps them under /usr/lib/postgresql/<n>/bin; the
    one on PATH may be older than the server), or PG_BIN_DIR's when set."""
    configured = current_app.config.get("PG_BIN_DIR")
    candidates = [Path(configured) / name] if configured else []
    candidates += sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
        reverse=True,
    )
    for candidate in candidates:
        if candidate.is_file():
            return str(candidate)
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} is not installed: run scripts/system-deps.sh postgres-client")
    return found


def _libpq() -> tuple[list[str], dict[str, str]]:
    """Connection arguments for the PostgreSQL tools; the password goes in the environment, never argv."""
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    arguments = ["--dbname", url.database or ""]
    if url.host:
        arguments += ["--host", url.host]
    if url.port:
        arguments += ["--port", str(url.port)]
    if url.username:
        arguments += ["--username", url.username]
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    options = url.query.get("options")
    if options:
        environment["PGOPTIONS"] = options if isinstance(options, str) else " ".join(options)
    return arguments, environment


def _run(command: list[str], environment: dict[str, str]) -> None:
    finished = subprocess.run(command, env=environment, capture_output=True, text=True)
    if finished.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {finished.stderr.strip()[-2000:]}")


def _dump_postgres(target: Path) -> Path:
    arguments, environment = _libpq()
    db.session.remove()
    _run(
        [pg_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(target), *arguments], environment
    )
    target.chmod(0o600)
    return target


def _postgres_version() -> str:
    with db.engine.connect() as connection:
        return connection.execute(text("SHOW server_version")).scalar() or ""


# ---- restoring -----------------------------------------------------------------------------------------
def read_manifest(archive_path: Path) -> dict:
    with tarfile.open(archive_path, "r:gz") as archive:
        try:
            member = archive.extractfile(MANIFEST)
        except KeyError:
            member = None
        if member is None:
            raise BackupError(f"{archive_path} is not an Emhana backup: it has no {MANIFEST}")
        return json.loads(member.read())


def check(archive_path: Path) -> dict:
    """The archive's manifest, once the archive proves restorable by this code on this database."""
    manifest = read_manifest(archive_path)
    if manifest.get("app") != "emhana" or manifest.get("format") != FORMAT:
        raise BackupError(f"{archive_path} is not an Emhana backup of format {FORMAT}")
    dialect = manifest["database"]["dialect"]
    if dialect != _dialect():
        raise BackupError(
            f"the archive holds a {dialect} database; this server is configured for {_dialect()}"
        )
    revision = manifest.get("schema_revision")
    known = revisions()
    if revision is not None and revision not in known.known:
        raise BackupError(
            f"the archive's schema revision {revision} is newer than this version of Emhana "
            f"(its newest is {known.head}): install the version that wrote it "
            f"(app {manifest['app_version']}) or a later one, then restore"
        )
    return manifest


def restore(archive_path: Path) -> dict:
    """Put the archive's database, uploads and key in place of the current ones; migrate an older schema.
    Nothing is changed unless every file of the archive matches its checksum."""
    archive_path = Path(archive_path)
    manifest = check(archive_path)
    instance = _private_dir(Path(current_app.instance_path))
    with tempfile.TemporaryDirectory(dir=instance, prefix=".restore-") as staging_name:
        staging = Path(staging_name)
        _extract_checked(archive_path, manifest, staging)
        dialect = manifest["database"]["dialect"]
        if dialect == "sqlite":
            _restore_sqlite(staging / SQLITE_MEMBER)
        else:
            _restore_postgres(staging / PG_MEMBER)
        _replace_uploads(staging / "uploads")
        _put_back_instance_files(staging / "instance")
    revision = manifest.get("schema_revision")
    if revision != revisions().head:
        log.info("restored schema %s is older than %s: migrating", revision, revisions().head)
        upgrade(directory=str(PROJECT_ROOT / "migrations"))
    log.info("restored %s (taken %s, schema %s)", archive_path, manifest["created_at"], revision)
    return manifest


def _extract_checked(archive_path: Path, manifest: dict, staging: Path) -> None:
    expected: dict[str, str] = manifest["files"]
    with tarfile.open(archive_path, "r:gz") as archive:
        for member in archive.getmembers():
            if member.name == MANIFEST:
                continue
            if member.name not in expected or not member.isfile():
                raise BackupError(f"the archive holds {member.name!r}, which its manifest does not list")
            target = staging / member.name
            if staging.resolve() not in target.resolve().parents:
                raise BackupError(f"the archive's path {member.name!r} leaves its folder")
            _private_dir(target.parent)
            source = archive.extractfile(member)
            with target.open("wb") as out:
                shutil.copyfileobj(source, out, _CHUNK)
            target.chmod(0o600)
    for name, digest in expected.items():
        path = staging / name
        if not path.is_file():
            raise BackupError(f"the archive lacks {name}, which its manifest lists")
        if _sha256(path) != digest:
            raise BackupError(f"{name} in the archive is damaged (its checksum differs)")


def _restore_sqlite(snapshot: Path) -> None:
    """Through the backup API again, into the live file: connections open elsewhere see the new pages,
    and the WAL stays consistent (replacing the file under a running app would not)."""
    target = _sqlite_path()
    db.session.remove()
    db.engine.dispose()
    _private_dir(target.parent)
    source = sqlite3.connect(f"file:{snapshot}?mode=ro", uri=True)
    destination = sqlite3.connect(target, timeout=30)
    try:
        source.backup(destination, pages=-1)
    finally:
        destination.close()
        source.close()
    target.chmod(0o600)


def _restore_postgres(dump: Path) -> None:
    """Into an empty `public` schema (whatever newer tables were there go too), as one transaction."""
    arguments, environment = _libpq()
    db.session.remove()
    db.engine.dispose()
    with db.engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    db.engine.dispose()
    command = [
        pg_tool("pg_restore"),
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
    ]
    _run([*command, *arguments, str(dump)], environment)


def _replace_uploads(restored: Path) -> None:
    current = uploads_dir()
    if current.exists():
        shutil.rmtree(current)
    _private_dir(current.parent)
    if restored.is_dir():
        shutil.move(str(restored), str(current))
        for path in current.rglob("*"):
            path.chmod(0o700 if path.is_dir() else 0o600)
    _private_dir(current)
