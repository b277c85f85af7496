"""Attachment to the clinic for patients, online and on the lobby kiosk: /attachment/."""

from flask import Blueprint

bp = Blueprint("attachment", __name__, url_prefix="/attachment")

from app.blueprints.attachment import views  # noqa: E402,F401  (routes register on import)
