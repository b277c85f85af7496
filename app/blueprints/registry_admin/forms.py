from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from app.core.iin import InvalidIin, parse_iin
from app.forms import Form
from app.services.local_registry import normalise_phone


def _valid_iin(form, field):
    try:
        field.data = parse_iin(field.data or "").iin
    except InvalidIin as error:
        raise ValidationError(str(error.message)) from None


def _valid_phone(form, field):
    try:
        field.data = normalise_phone(field.data or "")
    except ValueError:
        raise ValidationError(_l("Enter a Kazakhstan phone number: +7 and 10 digits.")) from None


class PersonForm(Form):
    """One person of the local registry: identity, attachment, registers."""

    iin = StringField(_l("IIN"), validators=[_valid_iin])
    last_name = StringField(
        _l("Last name"), validators=[DataRequired(_l("Enter the last name.")), Length(max=100)]
    )
    first_name = StringField(
        _l("First name"), validators=[DataRequired(_l("Enter the first name.")), Length(max=100)]
    )
    middle_name = StringField(_l("Patronymic"), validators=[Optional(), Length(max=100)])
    address = StringField(_l("Address (place of residence)"), validators=[Optional(), Length(max=500)])
    phone = StringField(_l("Phone"), validators=[_valid_phone])

    clinic_code = StringField(_l("Clinic code"), validators=[Optional(), Length(max=20)])
    clinic_name = StringField(_l("Clinic name"), validators=[Optional(), Length(max=300)])
    district_number = IntegerField(
        _l("District number"),
        validators=[Optional(), NumberRange(min=1, message=_l("Enter a district number of 1 or more."))],
    )
    attached_since = DateField(_l("Attached since"), validators=[Optional()])
    last_free_choice_on = DateField(_l("Last change of clinic by free choice"), validators=[Optional()])

    tb_since = DateField(_l("On the TB dispensary register since"), validators=[Optional()])
    psychiatry_since = DateField(_l("Under psychiatric dynamic observation since"), validators=[Optional()])
    narcology_since = DateField(_l("Under narcological dynamic observation since"), validators=[Optional()])


class EditPersonForm(PersonForm):
    iin = None  # the IIN identifies the person and never changes


class ImportForm(Form):
    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a CSV file."))])
