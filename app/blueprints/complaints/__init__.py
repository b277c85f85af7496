from flask import Blueprint

bp = Blueprint("complaints", __name__)

from app.blueprints.complaints import views  # noqa: E402,F401  (routes register on import)
