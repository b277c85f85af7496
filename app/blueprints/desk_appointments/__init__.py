"""Appointments in the staff area: the registry desk books, moves and cancels for patients (in person or by
phone) and keeps the pre-registration journal; doctors mark visits; heads and admins edit schedules."""

from flask import Blueprint

bp = Blueprint("desk_appointments", __name__, url_prefix="/staff/appointments")

from app.blueprints.desk_appointments import views  # noqa: E402,F401  (routes register on import)
