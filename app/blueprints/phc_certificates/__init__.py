"""Certificates from the PHC organisation (service 9), staff only (`desk_bp`, /staff/phc-certificates/): the
registrar's reception, the doctor's comparison, conclusion and signature, the register of issued ones."""

from flask import Blueprint

desk_bp = Blueprint("desk_phc_certificates", __name__, url_prefix="/staff/phc-certificates")

from app.blueprints.phc_certificates import desk  # noqa: E402,F401  (routes register on import)
