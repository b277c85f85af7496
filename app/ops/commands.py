"""The administrator's commands: `flask --app wsgi backup|restore|upgrade` (see README, "Running it at a
clinic")."""

import signal
import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade as migrate_upgrade
from sqlalchemy import inspect

from app.config import PROJECT_ROOT
from app.demo import seed
from app.extensions import db
from app.ops import backup as backups
from app.ops import logs
from app.ops.migration_lock import migration_lock
from app.ops.purge import purge
from app.services import sms


def init_app(app) -> None:
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(upgrade_command)
    app.cli.add_command(send_sms_command)
    app.cli.add_command(prepare_demo_command)
    app.cli.add_command(purge_command)


@click.command("backup")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--keep", type=int, default=None, help="Keep only this many newest archives in DIRECTORY.")
@with_appcontext
def backup_command(directory, keep):
    """Write one archive (database, uploads, secret key, manifest) into DIRECTORY
    (default BACKUP_DIR or instance/backups)."""
    keep = keep if keep is not None else current_app.config.get("BACKUP_KEEP")
    try:
        path = backups.create(directory, keep=keep)
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(str(path))


@click.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask before replacing the current data.")
@with_appcontext
def restore_command(archive, yes):
    """Replace the database, uploads and secret key with ARCHIVE's, then migrate an older schema.
    Stop the app (systemctl stop emhana) first."""
    try:
        manifest = backups.check(archive)
        click.echo(
            f"archive taken {manifest['created_at']} by Emhana {manifest['app_version']}, "
            f"schema {manifest['schema_revision']}, {len(manifest['files'])} files"
        )
        if not yes:
            click.confirm("This replaces ALL current data of this installation. Go on?", abort=True)
        backups.restore(archive)
        _keep_our_logging()
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo("restored")


@click.command("upgrade")
@click.option("--backup-dir", type=click.Path(file_okay=False, path_type=Path), default=None)
@with_appcontext
def upgrade_command(backup_dir):
    """Back up, then migrate the database to this version's schema. A failed backup migrates nothing.
    Several hosts may run it at once: one migrates, the others wait for it (app/ops/migration_lock.py)."""
    with migration_lock(db.engine, fallback_folder=Path(current_app.instance_path)):
        _upgrade(backup_dir)


def _upgrade(backup_dir) -> None:
    before = backups.current_revision()
    head = backups.revisions().head
    if before == head:
        click.echo(f"the schema is current ({head}); nothing to migrate")
        return
    if before is not None:
        try:
            path = backups.create(backup_dir)
        except backups.BackupError as error:
            raise click.ClickException(f"backup failed, nothing migrated: {error}") from None
        click.echo(f"backed up to {path}")
    _migrate()
    click.echo(f"migrated {before or 'an empty database'} -> {head}")


@click.command("send-sms")
@click.option("--once", is_flag=True, help="Send what is due now and stop (otherwise: loop until stopped).")
@click.option("--interval", type=float, default=None, help="Seconds between looks (SMS_WORKER_INTERVAL).")
@with_appcontext
def send_sms_command(once, interval):
    """The SMS worker: send the queued messages after their requests committed, retrying with backoff.
    Runs as deploy/emhana-sms.service; SIGTERM lets the message in hand finish first."""
    interval = interval if interval is not None else float(current_app.config.get("SMS_WORKER_INTERVAL", 2.0))
    stopping = []
    if not once:
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    while True:
        try:
            tried = sms.deliver_queued()
        finally:
            db.session.remove()
        if once:
            click.echo(f"{tried} messages tried")
            return
        if stopping:
            return
        if not tried:
            time.sleep(interval)


DEMO_MARKER = "demo-database"


@click.command("prepare-demo")
@with_appcontext
def prepare_demo_command():
    """For `make run`: migrate, then seed the demo clinic, but only into a database this command found
    empty (it notes that in instance/demo-database). A database with real data is never seeded: the demo's
    accounts have a published password."""
    url = db.engine.url.render_as_string(hide_password=True)
    marker = Path(current_app.instance_path) / DEMO_MARKER
    db.session.remove()
    fresh = not inspect(db.engine).get_table_names()
    db.engine.dispose()
    _migrate()
    if fresh:
        marker.write_text(url + "\n")
        marker.chmod(0o600)
    if marker.is_file() and marker.read_text().strip() == url:
        click.echo(seed())
        db.session.commit()
    else:
        click.echo(
            f"{url} was not created by `make run`: the demo clinic is not seeded into it "
            f"(to seed it anyway: flask --app wsgi seed-demo)"
        )


@click.command("purge")
@with_appcontext
def purge_command():
    """Remove expired one-time codes, the words of old SMS and old rate-limit hits (retention settings)."""
    purged = purge()
    db.session.commit()
    click.echo(str(purged))


def _migrate() -> None:
    migrate_upgrade(directory=str(PROJECT_ROOT / "migrations"))
    _keep_our_logging()


def _keep_our_logging() -> None:
    """Alembic's env.py has just replaced the root logger's handlers (see app.ops.logs.configure_root)."""
    if not current_app.testing or current_app.config.get("LOG_CONFIGURE"):
        logs.configure_root(current_app.config)
