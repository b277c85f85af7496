"""`make run` (flask prepare-demo) seeds the demo only into a database it created (issue 15, item 4)."""

from sqlalchemy import func, select

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
