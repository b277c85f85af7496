from flask import Blueprint

# No url_prefix: the patient pages live under /certificates/, the registrar's under /staff/certificates/.
# cli_group=None makes `flask expire-consents` a top-level command.
bp = Blueprint("certificates", __name__, cli_group=None)

from app.blueprints.certificates import commands, desk_views, views  # noqa: E402,F401
