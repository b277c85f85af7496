from flask import Blueprint

bp = Blueprint("outbox_admin", __name__, url_prefix="/admin/outbox")

from app.blueprints.outbox_admin import views  # noqa: E402,F401
