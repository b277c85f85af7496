"""Inpatient extracts (service 8), staff only (`desk_bp`, /staff/inpatient-extracts/): the four sign-offs,
the journal of issued extracts, and the admin's switch of the day hospital module."""

from flask import Blueprint

desk_bp = Blueprint("desk_inpatient_extracts", __name__, url_prefix="/staff/inpatient-extracts")

from app.blueprints.inpatient_extracts import desk  # noqa: E402,F401  (routes register on import)
