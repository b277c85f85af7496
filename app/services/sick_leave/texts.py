"""The words of the sick-leave services: the messages of refusals and of routing (kk/ru through Babel)."""

from flask_babel import lazy_gettext as _l

IIN_INVALID = _l("Enter the patient's 12-digit IIN.")
ATTACHMENT_LABELS = {
    "attached": _l("Attached to this clinic"),
    "not_attached": _l("Not attached to this clinic"),
    "unavailable": _l("The register did not answer"),
}
IDENTITY_NEEDED = _l("Write the identity document the person showed (kind and number).")
DATES_NEEDED = _l("Enter the first and the last day of release from work.")
END_NEEDED = _l("Enter the last day of the extension.")
END_BEFORE_START = _l("The last day of release is before the first day.")
STARTS_IN_FUTURE = _l("A sheet is not opened for a day that has not come yet.")
OVERLAP = _l("This person already has a sick-leave sheet or certificate for some of these days.")
ONE_OPEN_SHEET = _l("This person already has an open sick-leave sheet: extend or close it.")
UNKNOWN_CAUSE = _l("Choose the cause of incapacity from the list.")
UNKNOWN_REGIME = _l("Choose the regime from the list.")
UNKNOWN_MODE = _l("Choose how the sheet is issued: a paper blank or the national electronic sheet.")
NATIONAL_NUMBER_INVALID = _l(
    "This is not a number of the national system's electronic sheet (12 digits): check what you typed."
)
CONTINUES_NEEDED = _l("A continuation names the number of the sheet it continues.")
DIAGNOSIS_NEEDED = _l("Enter the diagnosis (ICD-10).")
WORKPLACE_NEEDED = _l("Write the place of work (or, for a certificate, of study).")
WAITS_FOR_REGISTRY = _l("The request waits for the register of attached population; retry it from the queue.")
PROTOCOL_NEEDED = _l("Write the number of the commission's protocol.")
NOT_A_DOCTOR = _l("Only an attending doctor extends or closes a sick-leave sheet.")
NOTHING_OPEN = _l("This sheet is closed.")
VISIT_IN_PROGRESS = _l("A visit of this sheet is still being signed: finish it first.")
OUTCOME_NEEDED = _l("Choose how the sheet closes.")
RETURN_DATE_NEEDED = _l("Enter the day the person returns to work: the day after the last day of release.")
RETURN_DATE_BEFORE_END = _l("The day of return to work is after the last day of release.")


def head_reason(total: int, limit: int):
    return _l(
        "%(total)s days in all, more than the %(limit)s days a doctor gives alone: "
        "the head of department signs.",
        total=total,
        limit=limit,
    )


def deputy_reason(total: int, limit: int):
    return _l(
        "%(total)s days in all, more than %(limit)s: the deputy chief physician signs.",
        total=total,
        limit=limit,
    )


def commission_reason(total: int, limit: int):
    return _l(
        "%(total)s days in all, more than %(limit)s: the medical advisory commission decides.",
        total=total,
        limit=limit,
    )


def backdate_reason(days: int, limit: int):
    return _l(
        "Opened %(days)s days back, more than the %(limit)s allowed: "
        "the medical advisory commission decides.",
        days=days,
        limit=limit,
    )


def deputy_needed(days: int):
    return _l(
        "This sheet is longer than %(days)s days: the deputy chief physician signs it, "
        "not the head of department.",
        days=days,
    )


def too_long(days: int):
    return _l("One period of release is at most %(days)s days: check the dates.", days=days)
