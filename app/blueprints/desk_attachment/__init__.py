"""Attachment applications at the registry desk: in-person form, decision queue, attached population."""

from flask import Blueprint

bp = Blueprint("desk_attachment", __name__, url_prefix="/staff/attachment")

from app.blueprints.desk_attachment import views  # noqa: E402,F401  (routes register on import)
