from flask import Blueprint

bp = Blueprint("monitoring", __name__)

from app.blueprints.monitoring import views  # noqa: E402,F401  (routes register on import)
