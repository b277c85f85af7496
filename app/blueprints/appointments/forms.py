"""Every form of appointment booking: the patient's sign-in and confirmed choice, and the staff's desk
booking, cancellation and schedule editor."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from app.forms import Form, SubForm
from app.services.schedules import EXCEPTION_LABELS, SLOT_LENGTHS


# ---- the patient: sign-in and the confirmed choice ----------------------------------------------------
class IinForm(Form):
    iin = StringField(_l("Your IIN"), validators=[DataRequired(_l("Enter the IIN.")), Length(max=20)])


class CodeForm(Form):
    code = StringField(
        _l("Code from the SMS"), validators=[DataRequired(_l("Enter the 6-digit code from the SMS."))]
    )


class BookingNumberForm(Form):
    number = StringField(
        _l("Booking number"),
        validators=[
            DataRequired(_l("Enter the booking number, for example AP-2026-000123.")),
            Length(max=20),
        ],
    )


# The journal's «жағдайы және жазатайым оқиға немесе ауруы бойынша қысқа мәліметтер» (001 annex 2 item 8):
# optional; the service tidies it and refuses one that is too long (appointments.ReasonTooLong), so the form
# itself sets no length and the message comes from the service.
_REASON_BOX = {"rows": 3}


class SlotForm(Form):
    """The confirmed choice: the rest of the choice travels in the query string of each step."""

    # Explicit (never shown) labels: without one, WTForms translates a made-up label on every form made,
    # which loads its own message catalogue from disk once per request (a millisecond of each booking).
    doctor = HiddenField("")
    slot = HiddenField("")
    reason = TextAreaField(_l("Reason for the visit (optional)"), render_kw=_REASON_BOX)


# ---- the staff: desk booking, cancellation, the schedule editor ----------------------------------------
WEEKDAY_NAMES = (
    _l("Monday"),
    _l("Tuesday"),
    _l("Wednesday"),
    _l("Thursday"),
    _l("Friday"),
    _l("Saturday"),
    _l("Sunday"),
)


class DeskBookingForm(Form):
    # Explicit (never shown) labels: without one, WTForms loads its message catalogue to translate a label.
    doctor = HiddenField("")
    slot = HiddenField("")
    channel = RadioField(
        _l("How the patient applied"),
        choices=[SelectChoice("desk", _l("In person at the desk")), SelectChoice("phone", _l("By phone"))],
        default="desk",
        validators=[DataRequired()],
    )
    identity_document_checked = BooleanField(_l("Identity document checked (in person)"))
    reason = TextAreaField(
        _l("Condition: brief notes on the illness or accident (optional)"), render_kw=_REASON_BOX
    )


class CancelForm(Form):
    note = StringField(_l("Reason (optional)"), validators=[Optional(), Length(max=300)])


class WeekdayForm(SubForm):
    works = BooleanField(_l("Receives patients"))
    starts = TimeField(_l("From"), validators=[Optional()])
    ends = TimeField(_l("To"), validators=[Optional()])
    break_starts = TimeField(_l("Break from"), validators=[Optional()])
    break_ends = TimeField(_l("Break to"), validators=[Optional()])
    home_starts = TimeField(_l("Home calls from"), validators=[Optional()])
    home_ends = TimeField(_l("Home calls to"), validators=[Optional()])

    def validate(self, extra_validators=None) -> bool:
        # Not a validate_starts(): an empty time is Optional, which skips the field's other checks.
        valid = super().validate(extra_validators)
        if valid and self.works.data and (self.starts.data is None or self.ends.data is None):
            self.starts.errors.append(_l("Give the hours of a working day."))
            return False
        return valid


class PlanForm(Form):
    slot_minutes = SelectField(
        _l("Length of one appointment, minutes"),
        choices=[SelectChoice(str(minutes)) for minutes in SLOT_LENGTHS],
        default="15",
    )
    room = StringField(_l("Room"), validators=[Optional(), Length(max=20)])
    bookable_online = BooleanField(_l("Patients may book online"), default=True)
    days = FieldList(FormField(WeekdayForm), min_entries=7, max_entries=7)


class ExceptionForm(Form):
    day = DateField(_l("Day"), validators=[DataRequired(_l("Choose the day."))])
    kind = SelectField(
        _l("What changes"), choices=[SelectChoice(kind, label) for kind, label in EXCEPTION_LABELS.items()]
    )
    starts = TimeField(_l("From (empty: the whole day)"), validators=[Optional()])
    ends = TimeField(_l("To"), validators=[Optional()])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=300)])
