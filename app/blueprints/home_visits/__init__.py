"""Calling the district doctor home: the patient's pages (website and lobby kiosk, `bp`, /home-visits/) and
the staff's (`desk_bp`, /staff/home-visits/: the registrar's call form, the home-call journal, assignment,
the doctor's route list and outcomes)."""

from flask import Blueprint

bp = Blueprint("home_visits", __name__, url_prefix="/home-visits")
desk_bp = Blueprint("desk_home_visits", __name__, url_prefix="/staff/home-visits")

from app.blueprints.home_visits import desk, patient  # noqa: E402,F401  (routes register on import)
