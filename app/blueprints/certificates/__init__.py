"""Information forms on the web: one blueprint, `certificates`, for the patient's pages and the kiosk
(/certificates/..., patient.py) and the registry desk's (/staff/certificates/..., desk.py), with the CLI
command that refuses overdue consents (commands.py)."""

from flask import Blueprint

# No url_prefix: the patient pages live under /certificates/, the registrar's under /staff/certificates/.
# cli_group=None makes `flask expire-consents` a top-level command.
bp = Blueprint("certificates", __name__, cli_group=None)

from app.blueprints.certificates import commands, desk, patient  # noqa: E402,F401
