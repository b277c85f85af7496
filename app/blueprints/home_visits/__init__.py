"""Calling the district doctor home, for patients and their families, online and on the lobby kiosk."""

from flask import Blueprint

bp = Blueprint("home_visits", __name__, url_prefix="/home-visits")

from app.blueprints.home_visits import views  # noqa: E402,F401  (routes register on import)
