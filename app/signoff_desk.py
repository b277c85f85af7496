"""What every desk of a signed-off service (PHC certificates, inpatient extracts, sick leave) does alike
around the sign-off kernel (`app.services.signoff`): find the person's card by IIN, put a service's error
beside its field, and answer an error with the status htmx and the audit log need.

Kept with the other shared web modules in `app/` (like `issued_journals.py`): a module under
`app/blueprints/` imported by several blueprints would break the "no blueprint imports another" rule.
"""

from app.core.iin import is_valid_iin
from app.htmx import is_htmx_request
from app.registries import RegistryUnavailable
from app.services import patients, registry_pending, signoff


def error_status(error) -> int:
    """An error shown in a fragment is 200 (htmx swaps only 2xx); on a full page 422. A refused role is 200
    either way, so its audit entry is committed (a 4xx rolls the request back)."""
    if is_htmx_request() or isinstance(error, signoff.NotYourStep):
        return 200
    return 422


def attach_error(form, error) -> None:
    """Shows a service's error beside the field it names (`error.field`), when the form has that field."""
    field = getattr(error, "field", None)
    if field and field in form:
        form[field].errors = [*form[field].errors, error.message]


def patient_for(raw_iin: str, invalid_message):
    """(patient, problem): the card for the IIN (made from the registry when missing), or what went wrong:
    `invalid_message` for an IIN that is not one, the registry's own answer, or "registry unavailable"."""
    iin = (raw_iin or "").strip()
    if not is_valid_iin(iin):
        return None, invalid_message
    try:
        return patients.card_for(iin), None
    except patients.PatientUnknown as error:
        return None, error.message
    except RegistryUnavailable:
        return None, registry_pending.UNAVAILABLE_MESSAGE
