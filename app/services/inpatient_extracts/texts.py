"""Words of service 8 that are Babel messages."""

from flask_babel import lazy_gettext as _l

MODULE_OFF = _l(
    "The clinic's day hospital module is switched off: inpatient extracts are issued by the hospital that "
    "treated the patient."
)
FIELD_NEEDED = _l("Fill in this field.")
DATES_ORDER = _l("The discharge date cannot be before the admission date.")
DATE_IN_FUTURE = _l("The discharge date cannot be in the future.")
STAMP_NEEDED = _l("Confirm that the stamp is applied.")
IDENTITY_NEEDED = _l("Write the identity document presented and to whom the extract is handed.")


def too_many_diagnoses(count: int):
    return _l("At most %(count)s other diagnoses.", count=count)


def surname_mismatch(name: str):
    return _l("Write your surname in full, as in your account: %(name)s.", name=name)


IIN_INVALID = _l("Enter the patient's 12-digit IIN.")
