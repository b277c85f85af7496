from flask import Blueprint

bp = Blueprint("cabinet", __name__, url_prefix="/my")

from app.blueprints.cabinet import views  # noqa: E402,F401  (routes register on import)
