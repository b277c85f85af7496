from flask import Blueprint

bp = Blueprint("status", __name__)

from app.blueprints.status import views  # noqa: E402,F401  (routes register on import)
