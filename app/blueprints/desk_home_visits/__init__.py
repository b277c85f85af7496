"""Home doctor calls for staff: the registrar's call form, the home-call journal, assignment, the doctor's
route list and outcomes: /staff/home-visits/."""

from flask import Blueprint

bp = Blueprint("desk_home_visits", __name__, url_prefix="/staff/home-visits")

from app.blueprints.desk_home_visits import views  # noqa: E402,F401  (routes register on import)
