from flask import Blueprint

bp = Blueprint("documents", __name__, url_prefix="/staff/documents")

from app.blueprints.documents import views  # noqa: E402,F401
