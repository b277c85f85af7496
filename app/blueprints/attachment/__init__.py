"""Attachment to the clinic on the web: the patient's side online and on the lobby kiosk (/attachment/) and
the registry desk's side (/staff/attachment/: in-person form, decision queue, attached population)."""

from flask import Blueprint

bp = Blueprint("attachment", __name__, url_prefix="/attachment")
desk_bp = Blueprint("desk_attachment", __name__, url_prefix="/staff/attachment")

from app.blueprints.attachment import desk, patient  # noqa: E402,F401  (routes register on import)
