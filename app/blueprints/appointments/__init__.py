"""Appointment booking for patients, online and on the lobby kiosk: /appointments/.

Also registers `flask send-reminders` (top level, no group): the day-before SMS reminders.
"""

from flask import Blueprint

bp = Blueprint("appointments", __name__, url_prefix="/appointments", cli_group=None)

from app.blueprints.appointments import commands, views  # noqa: E402,F401  (routes and commands register on import)
