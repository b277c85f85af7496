from flask import Blueprint

bp = Blueprint("public", __name__)

from app.blueprints.public import views  # noqa: E402,F401  (routes register on import)
