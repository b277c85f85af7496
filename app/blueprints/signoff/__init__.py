"""The staff's sign-off queue (/staff/sign-off/): every document waiting for a step the signed-in person's
roles hold, whatever the service (app.services.signoff), late ones first."""

from flask import Blueprint

bp = Blueprint("signoff", __name__, url_prefix="/staff/sign-off")

from app.blueprints.signoff import views  # noqa: E402,F401  (routes register on import)
