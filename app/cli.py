"""Command-line chores: `flask create-user`, `flask seed-demo`, `flask translate ...`,
`flask signing-key ...`, `flask sign-pending`."""

import os
import subprocess
import sys
from pathlib import Path

import click
from flask import Flask

from app.config import PROJECT_ROOT
from app.demo import seed
from app.extensions import db
from app.models.staff import ROLES
from app.ops import commands as ops_commands
from app.services import document_signing
from app.services.clinic import get_clinic
from app.services.staff_accounts import AccountError, create_staff
from app.signing import KEY_TYPES, KeyFileError


def init_app(app: Flask) -> None:
    app.cli.add_command(create_user)
    app.cli.add_command(seed_demo)
    app.cli.add_command(translate)
    ops_commands.init_app(app)
    app.cli.add_command(signing_key)
    app.cli.add_command(sign_pending)


@click.command("create-user")
@click.option("--username", prompt=True)
@click.option("--full-name", prompt=True)
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=click.Choice(ROLES),
    help="Repeat for several roles.",
)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--speciality", default=None)
def create_user(username, full_name, roles, password, speciality):
    """Create a staff account."""
    try:
        staff = create_staff(
            username=username, full_name=full_name, password=password, roles=set(roles), speciality=speciality
        )
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"created staff account {staff.username} ({', '.join(sorted(staff.roles))})")


@click.command("seed-demo")
def seed_demo():
    """Create the demo clinic, staff and patients (safe to run again: it changes nothing the second time)."""
    summary = seed()
    db.session.commit()
    click.echo(summary)


@click.group()
def translate():
    """Extract, update and compile the kk and ru catalogs."""


def _pybabel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True, cwd=PROJECT_ROOT)


@translate.command("update")
def translate_update():
    """Extract messages from the code and merge them into translations/*/messages.po."""
    sys.path.insert(0, str(PROJECT_ROOT / "scripts"))
    from po_fill import catalog_lock

    with catalog_lock():
        _translate_update()


def _translate_update() -> None:
    _pybabel(
        "extract",
        "-F",
        "babel.cfg",
        "-k",
        "_l",
        "--no-location",
        "--sort-output",
        "-o",
        "translations/messages.pot",
        ".",
    )
    _pybabel(
        "update",
        "-i",
        "translations/messages.pot",
        "-d",
        "translations",
        "--no-fuzzy-matching",
        "--ignore-obsolete",
    )


@translate.command("compile")
def translate_compile():
    """Compile the catalogs to .mo files."""
    _pybabel("compile", "-d", "translations", "--statistics")


# ---- electronic signatures (issue 21, docs/signing.md) ---------------------------------------------
IMPORT_PASSWORD_VARIABLE = "EMHANA_SIGNING_IMPORT_PASSWORD"


@click.group("signing-key")
def signing_key():
    """The clinic's document signing key: generate a demo key, import a real one, show it."""


@signing_key.command("generate")
@click.option("--key-type", type=click.Choice(KEY_TYPES), default="ecdsa", show_default=True)
@click.option(
    "--replace", is_flag=True, help="Replace an installed key (documents signed with it stay valid)."
)
def signing_key_generate(key_type, replace):
    """Make a self-signed key and certificate for the clinic (the demo, or until a CA-issued key arrives)."""
    clinic = get_clinic()
    try:
        info = document_signing.generate_key(
            organisation=clinic.name_ru if clinic else "Emhana", key_type=key_type, replace=replace
        )
    except FileExistsError as error:
        raise click.ClickException(f"a signing key is already installed at {error}; use --replace") from None
    _echo_certificate(info)


@signing_key.command("import")
@click.argument("key_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def signing_key_import(key_file):
    """Install the clinic's key from a PKCS#12 file (its password: EMHANA_SIGNING_IMPORT_PASSWORD).
    The installed copy is encrypted with the installation's key password (EMHANA_SIGNING_KEY_PASSWORD, or
    one derived from SECRET_KEY); no password is ever stored in clear."""
    password = os.environ.get(IMPORT_PASSWORD_VARIABLE, "").encode()
    try:
        info = document_signing.import_key(key_file.read_bytes(), password)
    except KeyFileError as error:
        raise click.ClickException(
            f"{error} (the password is read from {IMPORT_PASSWORD_VARIABLE})"
        ) from None
    _echo_certificate(info)
    run = document_signing.sign_pending()
    db.session.commit()
    click.echo(f"{run.signed} waiting documents signed, {run.waiting} still waiting")


@signing_key.command("show")
def signing_key_show():
    """The installed key's certificate and whether it can sign now."""
    status = document_signing.key_status()
    if status.certificate is not None:
        _echo_certificate(status.certificate)
    click.echo(f"backend: {status.backend}, status: {status.status} {status.reason}".rstrip())
    click.echo(f"documents waiting for their signature: {status.pending}")


def _echo_certificate(info) -> None:
    click.echo(f"subject:     {info.subject}")
    click.echo(f"issuer:      {info.issuer}")
    click.echo(f"valid:       {info.not_before:%Y-%m-%d %H:%M} .. {info.not_after:%Y-%m-%d %H:%M} UTC")
    click.echo(f"key:         {info.key_type}")
    click.echo(f"fingerprint: SHA-256 {info.fingerprint}")


@click.command("sign-pending")
def sign_pending():
    """Sign the documents waiting in the signing queue (the signer was down, or the key missing)."""
    run = document_signing.sign_pending()
    db.session.commit()
    click.echo(
        f"{run.signed} documents signed, {run.waiting} still waiting"
        + (f" ({run.reason})" if run.reason else "")
    )
    if run.waiting:
        sys.exit(1)
