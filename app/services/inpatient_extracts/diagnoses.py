"""ICD-10 codes of the discharge summary, checked against the kernel's lookup (app.services.icd10)."""

from flask_babel import lazy_gettext as _l

from app.services import icd10
from app.services.inpatient_extracts import texts
from app.services.inpatient_extracts.rules import ExtractError


def check_code(raw: str, field: str) -> str:
    """The code as the classifier writes it ("j189" -> "J18.9"), or ExtractError naming the field."""
    code = icd10.normalise(raw or "")
    if not code:
        raise ExtractError(texts.FIELD_NEEDED, field=field)
    if icd10.find(code) is None:
        raise ExtractError(_l("No such ICD-10 code: %(code)s.", code=code[:12]), field=field)
    return code


def title(code: str, language: str) -> str:
    """The diagnosis's title in `language` (Russian where the classifier has no Kazakh one), or ""."""
    diagnosis = icd10.find(code) if code else None
    return diagnosis.title(language) if diagnosis else ""
