"""Urgent care (service 12): the public page on how to call, 103 first (`bp`, /urgent-care/: the service is
not offered on the website or the kiosk), and the department's staff pages (`desk_bp`, /staff/urgent-care/:
the live dispatch journal, registering a call, the team's route list and outcome, the 7-hour compliance)."""

from flask import Blueprint

bp = Blueprint("urgent_care", __name__, url_prefix="/urgent-care")
desk_bp = Blueprint("desk_urgent_care", __name__, url_prefix="/staff/urgent-care")

from app.blueprints.urgent_care import desk, patient  # noqa: E402,F401  (routes register on import)
