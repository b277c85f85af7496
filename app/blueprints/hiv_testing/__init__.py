"""HIV testing by personal code (service 7): staff pages only (`desk_bp`, /staff/hiv/). The service is given
in person at the counselling and procedure rooms; nothing of it is online or in /status."""

from flask import Blueprint

desk_bp = Blueprint("desk_hiv_testing", __name__, url_prefix="/staff/hiv")

from app.blueprints.hiv_testing import desk  # noqa: E402,F401  (routes register on import)
