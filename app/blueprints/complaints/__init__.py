"""Complaints on the web: the public form (web and kiosk, `patient`) and the staff's pages (desk entry by a
registrar, the head's list and answers, `desk`). One blueprint, `complaints`, serves both, so every
endpoint keeps its name (`complaints.file_complaint`, `complaints.list_complaints`, ...)."""

from flask import Blueprint

bp = Blueprint("complaints", __name__)

from app.blueprints.complaints import desk, patient  # noqa: E402,F401  (routes register on import)
