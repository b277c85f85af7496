from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length


class IinForm(FlaskForm):
    iin = StringField(_l("Your IIN"), validators=[DataRequired(_l("Enter the IIN.")), Length(max=20)])


class CodeForm(FlaskForm):
    code = StringField(
        _l("Code from the SMS"), validators=[DataRequired(_l("Enter the 6-digit code from the SMS."))]
    )


class BookingNumberForm(FlaskForm):
    number = StringField(
        _l("Booking number"),
        validators=[
            DataRequired(_l("Enter the booking number, for example AP-2026-000123.")),
            Length(max=20),
        ],
    )


class SlotForm(FlaskForm):
    """The confirmed choice: the rest of the choice travels in the query string of each step."""

    # Explicit (never shown) labels: without one, WTForms translates a made-up label on every form made,
    # which loads its own message catalogue from disk once per request (a millisecond of each booking).
    doctor = HiddenField("")
    slot = HiddenField("")
