"""Forms of the staff home-call pages. Field checks here; the service's rules name the field they refuse."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from app.blueprints.home_visits.forms import CheckboxesField
from app.models.home_visits import OUTCOMES, RED_FLAGS
from app.services.home_visits import APPLICANT_LABELS, OUTCOME_LABELS, RED_FLAG_LABELS


class DeskCallForm(FlaskForm):
    iin = HiddenField()
    channel = RadioField(
        _l("How the call came"),
        choices=[SelectChoice("phone", _l("By phone")), SelectChoice("desk", _l("In person at the desk"))],
        default="phone",
        validators=[DataRequired()],
    )
    applicant_kind = RadioField(
        _l("Who is calling"),
        choices=[SelectChoice(kind, label) for kind, label in APPLICANT_LABELS.items()],
        default="self",
        validators=[DataRequired()],
    )
    applicant_name = StringField(_l("Caller's name"), validators=[Length(max=200)])
    applicant_relationship = StringField(_l("Who they are to the patient"), validators=[Length(max=100)])
    address = StringField(_l("Actual address"), validators=[Length(max=500)])
    complaint = TextAreaField(_l("Condition and complaint"), validators=[Length(max=2000)])
    temperature = StringField(_l("Temperature, °C"), validators=[Length(max=10)])
    red_flags = CheckboxesField(
        _l("Red flags"), choices=[SelectChoice(flag, RED_FLAG_LABELS[flag]) for flag in RED_FLAGS]
    )
    callback_phone = StringField(_l("Contact phone"), validators=[Length(max=30)])
    identity_document_checked = BooleanField(_l("Identity document checked (in person)"))


class AssignForm(FlaskForm):
    doctor = SelectField(_l("Doctor"), validators=[DataRequired(_l("Choose a doctor from the list."))])
    starts_at = SelectField(_l("Window starts at"), validators=[Optional()])


class CancelForm(FlaskForm):
    note = StringField(_l("Reason (optional)"), validators=[Optional(), Length(max=300)])


class OutcomeForm(FlaskForm):
    outcome = RadioField(
        _l("Outcome"),
        choices=[SelectChoice(outcome, OUTCOME_LABELS[outcome]) for outcome in OUTCOMES],
        validators=[DataRequired(_l("Choose what happened: visited, not at home or hospitalised."))],
    )
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)])
