"""The words of hospitalization referrals: statuses, profiles, examinations, steps, the SMS."""

from flask_babel import force_locale, format_date
from flask_babel import lazy_gettext as _l

from app.core.bilingual import Bilingual
from app.services.clinic import get_clinic

STATUS_LABELS = {
    "queued": _l("Waiting to be sent to the Bureau"),
    "at_bureau": _l("At the Bureau, waiting for the date"),
    "dated": _l("Date given, to stamp and hand over"),
    "handed_over": _l("Handed over to the patient"),
    "not_indicated": _l("Decision: hospitalization not indicated"),
    "incomplete": _l("Decision: examinations incomplete"),
    "cancelled": _l("Cancelled"),
}
PROFILE_LABELS = {
    "therapy": _l("Therapy"),
    "cardiology": _l("Cardiology"),
    "neurology": _l("Neurology"),
    "surgery": _l("Surgery"),
    "gynaecology": _l("Gynaecology"),
    "paediatrics": _l("Paediatrics"),
}
EXAMINATION_LABELS = {
    "blood_count": _l("Complete blood count"),
    "urine": _l("Urine analysis"),
    "biochemistry": _l("Blood biochemistry"),
    "coagulogram": _l("Coagulogram"),
    "ecg": _l("ECG"),
    "fluorography": _l("Fluorography"),
    "hepatitis_markers": _l("Hepatitis B and C markers"),
    "syphilis": _l("Blood test for syphilis"),
    "gynaecological_smear": _l("Gynaecological smear"),
    "therapist_opinion": _l("Therapist's opinion"),
}
PROBLEM_LABELS = {
    "missing": _l("missing"),
    "expired": _l("out of date"),
    "future": _l("date in the future"),
}
DECISION_LABELS = {
    "not_indicated": _l("Hospitalization not indicated"),
    "incomplete": _l("Examinations incomplete"),
}
STEP_LABELS = {
    "package_reviewed": _l("Package reviewed"),
    "sent_to_bureau": _l("Sent to the Bureau"),
    "bureau_unavailable": _l("The Bureau could not be reached"),
    "bureau_dated": _l("The Bureau gave the date"),
    "handed_over": _l("Stamped and handed over"),
    "not_indicated": _l("Decision: hospitalization not indicated"),
    "examinations_incomplete": _l("Decision: examinations incomplete"),
    "talon_printed": _l("Talon printed"),
}
REQUEST_STATUS_LABELS = {"in_review": _l("At the Hospitalization Bureau")}
BUREAU_UNAVAILABLE_MESSAGE = _l(
    "The Hospitalization Bureau cannot be reached now. The referral is saved and waits in the queue: send "
    "it again from the list of referrals."
)
NOT_OPEN_MESSAGE = _l("This referral cannot be changed at this step.")
SMS_DATED = _l(
    "%(clinic)s: referral %(number)s. Hospitalization on %(day)s at %(hospital)s, Bureau code %(code)s. Take "
    "the stamped referral from the clinic."
)


def sms_dated(referral, language: str) -> str:
    """The SMS that the date is known, in the language of the patient's card."""
    clinic = get_clinic()
    with force_locale(language):
        return str(SMS_DATED) % {
            "clinic": clinic.name(language) if clinic else "",
            "number": referral.number,
            "day": format_date(referral.hospitalization_date, "d MMMM yyyy"),
            "hospital": referral.hospital,
            "code": referral.bureau_code,
        }


TALON_TITLE = Bilingual("Емдеуге жатқызу талоны", "Талон на госпитализацию")
