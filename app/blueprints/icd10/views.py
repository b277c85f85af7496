"""Searching ICD-10 as a staff member types a diagnosis.

`GET /staff/icd10/search?q=...` (or `?field=<input name>&<input name>=...`, which is what the input of
app/templates/icd10/_field.html sends: htmx sends an input's value under its own name) answers with a
`<datalist>` (its id from `list`, the input's id, when the page gave one) of up to 20 matching codes,
titled in the page's language; the browser offers them under the
input and the one picked becomes its value. Reference data only: no patient data, so nothing is audited.

Roles: those who write diagnoses. Doctors, the head and registrars for now; services that add clinical roles
(e.g. nurses, paramedics) add them to SEARCH_ROLES.
"""

import re

from flask import render_template, request

from app.auth import roles_required
from app.blueprints.icd10 import bp
from app.core.i18n import current_language
from app.services import icd10

SEARCH_ROLES = ("doctor", "head", "registrar")
LIMIT = 20
_FIELD_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,59}$")


def options_id(field_name: str) -> str:
    """The id of the datalist that holds the options of the input named `field_name`."""
    return f"{field_name}-icd10-options"


@bp.get("/search")
@roles_required(*SEARCH_ROLES)
def search():
    field_name = request.args.get("field", "")
    if not _FIELD_NAME.match(field_name):
        field_name = "q"
    query = request.args.get("q") or request.args.get(field_name, "")
    found = icd10.search(query, limit=LIMIT)
    list_for = request.args.get("list", field_name)
    if not _FIELD_NAME.match(list_for):
        list_for = field_name
    return render_template(
        "icd10/_options.html",
        list_id=options_id(list_for),
        found=found,
        language=current_language(),
    )
