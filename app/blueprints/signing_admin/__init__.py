"""The admin page of the clinic's electronic signature: the key, its expiry, the signing queue (issue 21)."""

from flask import Blueprint

bp = Blueprint("signing_admin", __name__, url_prefix="/admin/signing")

from app.blueprints.signing_admin import views  # noqa: E402,F401
