"""Command-line chores: `flask create-user`, `flask seed-demo`, `flask translate ...`."""

import subprocess
import sys

import click
from flask import Flask

from app.config import PROJECT_ROOT
from app.demo import seed
from app.extensions import db
from app.models.staff import ROLES
from app.ops import commands as ops_commands
from app.services.staff_accounts import AccountError, create_staff


def init_app(app: Flask) -> None:
    app.cli.add_command(create_user)
    app.cli.add_command(seed_demo)
    app.cli.add_command(translate)
    ops_commands.init_app(app)


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
