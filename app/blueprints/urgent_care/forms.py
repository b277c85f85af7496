"""Forms of the urgent-care pages. Field checks here; the rules of the service live in
app.services.urgent_care, which names the field it refuses."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.core.inputs import is_reasonable_day
from app.forms import DiagnosisField, Form
from app.models.urgent_care import RESULTS
from app.services.urgent_care import CALLER_LABELS, RED_FLAG_LABELS, RED_FLAGS, RESULT_LABELS, URGENCY_LABELS

TIME_FORMAT = "%Y-%m-%dT%H:%M"


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _reasonable_moment(form, field) -> None:
    if isinstance(field.data, datetime) and not is_reasonable_day(field.data.date()):
        raise ValidationError(_l("Enter a real date and time."))


class CallForm(Form):
    caller_kind = RadioField(
        _l("Who is calling"),
        choices=[SelectChoice(kind, label) for kind, label in CALLER_LABELS.items()],
        default="self",
        validators=[DataRequired()],
    )
    caller_name = StringField(_l("Caller's name"), validators=[Length(max=200)])
    caller_phone = StringField(_l("Phone to call back"), validators=[Length(max=30)])
    iin = StringField(_l("Patient's IIN, when known"), validators=[Length(max=20)])
    patient_name = StringField(_l("Patient's name"), validators=[Length(max=200)])
    patient_age = IntegerField(
        _l("Age, full years"),
        validators=[Optional(), NumberRange(0, 130, _l("Enter the age in full years, from 0 to 130."))],
    )
    patient_sex = SelectField(
        _l("Sex"),
        choices=[SelectChoice("", "—"), SelectChoice("M", _l("male")), SelectChoice("F", _l("female"))],
        validators=[Optional()],
    )
    address = StringField(_l("Actual address"), validators=[Length(max=500)])
    entrance = StringField(_l("Entrance"), validators=[Length(max=20)])
    floor = StringField(_l("Floor"), validators=[Length(max=20)])
    complaint = TextAreaField(_l("Condition and complaint"), validators=[Length(max=2000)])
    urgency_category = RadioField(
        _l("Urgency category"),
        choices=[SelectChoice(str(code), label) for code, label in URGENCY_LABELS.items()],
        default="4",
        validators=[DataRequired(_l("Choose the urgency category from the list."))],
    )
    red_flags = CheckboxesField(
        _l("Red flags"), choices=[SelectChoice(flag, RED_FLAG_LABELS[flag]) for flag in RED_FLAGS]
    )
    handover_note = StringField(_l("Handed to 103: to whom and when"), validators=[Length(max=500)])


class TeamForm(Form):
    team = SelectField(_l("Team"), validators=[DataRequired(_l("Choose a team from the list."))])


class OutcomeForm(Form):
    arrived_at = DateTimeLocalField(
        _l("Team arrived at"),
        format=TIME_FORMAT,
        validators=[InputRequired(_l("Enter the date and time the team arrived.")), _reasonable_moment],
    )
    examined_at = DateTimeLocalField(
        _l("Examination ended at"),
        format=TIME_FORMAT,
        validators=[InputRequired(_l("Enter the date and time the examination ended.")), _reasonable_moment],
    )
    result = RadioField(
        _l("Result"),
        choices=[SelectChoice(result, RESULT_LABELS[result]) for result in RESULTS],
        validators=[DataRequired(_l("Choose the result from the list."))],
    )
    diagnosis = DiagnosisField(validators=[Optional()])
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)])
    index = HiddenField()


class HandoverForm(Form):
    handover_note = StringField(_l("Handed to 103: to whom and when"), validators=[Length(max=500)])


class CancelForm(Form):
    note = StringField(_l("Reason (optional)"), validators=[Optional(), Length(max=300)])
