"""Sick leave (services 10, 11), staff only (`desk_bp`, /staff/sick-leave/): the registrar's reception, the
doctor's sheet or certificate, the head's and the commission's signatures, the issuing desk's register book,
closing, and the admin's routing settings."""

from flask import Blueprint

desk_bp = Blueprint("desk_sick_leave", __name__, url_prefix="/staff/sick-leave")

from app.blueprints.sick_leave import book, desk  # noqa: E402,F401  (routes register on import)
