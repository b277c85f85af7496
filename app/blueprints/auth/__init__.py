from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/staff")

from app.blueprints.auth import views  # noqa: E402,F401
