"""What attachment says: labels of reasons, files, steps and actors, the checks' warnings and details, the
messages of a decision and of a second check, and the SMS texts."""

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from app.services import registry_pending
from app.services.attachment.rules import GROUNDS

REASON_LABELS = {
    "residence": _l("Change of residence"),
    "free_choice": _l("Free choice of clinic"),
    "other": _l("Other reason"),
}
FILE_KIND_LABELS = {
    "application": _l("Application (scan or photo)"),
    "identity": _l("Identity document (scan or photo)"),
}
# The steps of an application's history, as the staff page shows them. `sms_sent`, `sms_failed` and
# `sms_skipped` are the SMS steps of applications decided before the SMS went through app.services.sms.
STEP_LABELS = {
    "submitted": _l("Application received"),
    "files_attached": _l("Files attached"),
    "registry_checked": _l("Checked against the register of attached population"),
    "registry_unavailable": _l("The registry did not answer"),
    "registry_retry": _l("The registry asked again"),
    "registry_still_unavailable": _l("The registry still did not answer"),
    "approved": _l("Approved"),
    "detached_from_previous": _l("Detached from the previous clinic"),
    "refused": _l("Refused"),
    "already_attached_here": _l("Closed: already attached here"),
    "sms_sent": _l("SMS sent"),
    "sms_failed": _l("SMS could not be sent"),
    "sms_skipped": _l("No phone for an SMS"),
    "sms_approved": _l("SMS sent"),
    "sms_refused": _l("SMS sent"),
    "sms_approved_failed": _l("SMS could not be sent"),
    "sms_refused_failed": _l("SMS could not be sent"),
    "sms_approved_no_phone": _l("No phone for an SMS"),
    "sms_refused_no_phone": _l("No phone for an SMS"),
    "document_revoked": _l("Document revoked"),
}
ACTOR_LABELS = {"patient": _l("Applicant"), "applicant": _l("Applicant"), "system": _l("System")}
WARNING_MESSAGES = {
    "not_checked": _l("The register of attached population has not answered yet: the checks are incomplete."),
    "outside_territory": _l(
        "The address is not in the clinic's territory (no district's street list matches it): choose the "
        "district yourself."
    ),
    "residence_outside_territory": _l(
        "The reason is a change of residence, but the new address is not in the clinic's territory."
    ),
    "district_full": _l("The proposed district has reached its norm: choose a district with room."),
}

# A decision that cannot be made as asked.
NO_CLINIC_CODE = _l(
    "The clinic's code in the register of attached population is not set: the administrator sets it."
)
NO_DISTRICT = _l("Choose the district the person is attached to.")

# What asking the registry again did, for the desk (a waiting application: registry_pending.RESULT_MESSAGES).
CHECKED_AGAIN = _l("The checks were run again with the registry's current answer.")
CLOSED_ALREADY_ATTACHED = _l("The person is already attached to this clinic: the application is closed.")


def ground_name(code: str | None) -> str:
    """The regulation's name of a refusal ground, in the current language; "" for none."""
    return str(GROUNDS[code]) if code in GROUNDS else ""


def recheck_message(result: str) -> tuple[str, str]:
    """What the desk is told after asking the registry again, and how (a flash category)."""
    if result in registry_pending.RESULT_MESSAGES:
        return str(registry_pending.RESULT_MESSAGES[result]), "success" if result == "resolved" else "warning"
    if result == "cancelled":
        return str(CLOSED_ALREADY_ATTACHED), "info"
    return str(CHECKED_AGAIN), "success"


# ---- the checks' details ---------------------------------------------------------------------------------
def free_choice_detail(last: date, next_allowed: date) -> str:
    return _(
        "The last change of clinic by free choice was on %(last)s; the next is possible from %(next)s",
        last=last.strftime("%d.%m.%Y"),
        next=next_allowed.strftime("%d.%m.%Y"),
    )


def clinic_norm_detail(count: int, norm: int) -> str:
    return ngettext(
        "The clinic has %(num)d attached person with a norm of %(norm)s",
        "The clinic has %(num)d attached people with a norm of %(norm)s",
        count,
        norm=norm,
    )


def district_norm_detail(number: int, count: int, norm: int) -> str:
    return ngettext(
        "District %(number)s has %(num)d attached person with a norm of %(norm)s",
        "District %(number)s has %(num)d attached people with a norm of %(norm)s",
        count,
        number=number,
        norm=norm,
    )


def attached_elsewhere_detail(clinic: str) -> str:
    return _(
        "Attached to %(clinic)s; the application gives neither a change of residence nor a free choice",
        clinic=clinic,
    )


def approval_blocked(ground: str, detail: str | None):
    """Why an approval cannot go ahead (lazy: raised now, shown on the next page)."""
    if detail:
        return _l(
            "The application cannot be approved: %(ground)s (%(detail)s). Choose another district if "
            "that helps, or refuse the application on this ground.",
            ground=ground_name(ground),
            detail=detail,
        )
    return _l(
        "The application cannot be approved: %(ground)s. Refuse the application on this ground.",
        ground=ground_name(ground),
    )


# ---- SMS ---------------------------------------------------------------------------------------------------
def sms_text(*, outcome: str, number: str, clinic: str, district: int | str, ground: str, link: str) -> str:
    """The SMS about a decision, rendered in the current language (app.services.sms renders it in the
    person's)."""
    if outcome == "approved":
        return _(
            "Application %(number)s is approved: you are attached to %(clinic)s, district %(district)s. "
            "The talon: %(link)s",
            number=number,
            clinic=clinic,
            district=district,
            link=link,
        )
    return _(
        "Application %(number)s for attachment is refused: %(ground)s. The reasoned refusal: %(link)s",
        number=number,
        ground=ground_name(ground),
        link=link,
    )
