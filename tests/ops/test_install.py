"""`make run` (flask prepare-demo) seeds the demo only into a database it created, and installs only the
production lock; the lock files agree with pyproject.toml (issue 15, item 4)."""

import os
import re
import subprocess
import tomllib

from sqlalchemy import func, select

from app.config import PROJECT_ROOT
from app.extensions import db
from app.models import StaffMember
from app.ops import backup
from tests.ops.conftest import instance_of


def run(app, *args):
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_an_empty_database_gets_the_demo_and_keeps_it_on_the_next_run(bare_installation):
    app = bare_installation
    run(app, "prepare-demo")
    assert backup.current_revision() == backup.revisions().head
    assert db.session.scalar(select(StaffMember).where(StaffMember.username == "admin")) is not None
    assert (instance_of(app) / "demo-database").is_file()
    staff = db.session.scalar(select(func.count(StaffMember.id)))
    run(app, "prepare-demo")  # again, as every `make run` does: nothing new
    assert db.session.scalar(select(func.count(StaffMember.id))) == staff


def test_a_database_with_real_data_is_never_seeded(installation, installation_staff):
    installation_staff("head_doctor", roles=("head",))
    output = run(installation, "prepare-demo")
    assert "not seeded" in output
    assert db.session.scalar(select(StaffMember).where(StaffMember.username == "admin")) is None
    assert not (instance_of(installation) / "demo-database").exists()


def _make_plan(target: str, tmp_path) -> str:
    """What `make TARGET` would run for a clean clone (a venv that does not exist yet), without running it."""
    result = subprocess.run(
        ["make", "--dry-run", "--always-make", f"VENV={tmp_path / 'venv'}", target],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "MAKEFLAGS": ""},
    )
    return result.stdout


def test_make_run_installs_only_the_production_lock_and_make_test_adds_the_tools(tmp_path):
    run_plan = _make_plan("run", tmp_path)
    assert "--require-hashes -r requirements/production.txt" in run_plan
    assert "development.txt" not in run_plan and "[dev]" not in run_plan
    assert "prepare-demo" in run_plan
    test_plan = _make_plan("test", tmp_path)
    assert "--require-hashes -r requirements/production.txt" in test_plan
    assert "--require-hashes -r requirements/development.txt" in test_plan


def test_the_lock_files_hold_pyprojects_pins_in_the_right_set():
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]

    def pins(name: str) -> dict[str, str]:
        text = (PROJECT_ROOT / "requirements" / name).read_text()
        return dict(re.findall(r"^([a-z0-9-]+)==(\S+) \\$", text, re.MULTILINE))

    production, development = pins("production.txt"), pins("development.txt")
    everything = {**production, **development}
    # A dev pin that production needs anyway (fonttools, for WeasyPrint) is in the production set.
    sets = ((project["dependencies"], production), (project["optional-dependencies"]["dev"], everything))
    for wanted, lock in sets:
        for line in wanted:
            name, version = re.match(r"([A-Za-z0-9_.-]+)(?:\[[^]]*\])?==([^ ;]+)", line).groups()
            assert lock.get(re.sub(r"[_.]", "-", name.lower())) == version, line
    assert not set(production) & set(development)
    assert "gunicorn" in production and "pytest" not in production and "ruff" not in production
