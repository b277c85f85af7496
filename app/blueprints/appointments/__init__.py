"""Appointment booking on the web: the patient's pages, online and on the lobby kiosk (`bp`, /appointments/),
and the staff's (`desk_bp`, /staff/appointments/): the registry desk books, moves and cancels for patients (in
person or by phone) and keeps the pre-registration journal; doctors mark visits; heads and admins edit the
doctors' schedules.

Also registers `flask send-reminders` (top level, no group): the day-before SMS reminders.
"""

from flask import Blueprint

bp = Blueprint("appointments", __name__, url_prefix="/appointments", cli_group=None)
desk_bp = Blueprint("desk_appointments", __name__, url_prefix="/staff/appointments")

# Routes and the command register on import.
from app.blueprints.appointments import commands, desk, patient  # noqa: E402,F401
