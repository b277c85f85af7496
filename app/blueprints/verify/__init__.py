from flask import Blueprint

bp = Blueprint("verify", __name__, url_prefix="/verify")

from app.blueprints.verify import views  # noqa: E402,F401
