"""The staff queue of requests waiting for a national registry ("registry pending")."""

from flask import Blueprint

bp = Blueprint("registry_queue", __name__, url_prefix="/staff/registry-pending")

from app.blueprints.registry_queue import views  # noqa: E402,F401
