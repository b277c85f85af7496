"""The ICD-10 lookup on the staff's pages: `GET /staff/icd10/search` gives the options of a diagnosis input
(app/templates/icd10/_field.html) as an htmx fragment."""

from flask import Blueprint

bp = Blueprint("icd10", __name__, url_prefix="/staff/icd10")

from app.blueprints.icd10 import views  # noqa: E402,F401  (routes register on import)
