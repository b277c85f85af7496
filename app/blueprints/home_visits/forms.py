"""Forms of the home-call pages, the patient's and the staff's. Field checks here; the rules of the service
live in app.services.home_visits, which names the field it refuses."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.forms import Form
from app.models.home_visits import OUTCOMES, RED_FLAGS
from app.services.home_visits import APPLICANT_LABELS, OUTCOME_LABELS, RED_FLAG_LABELS


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


# ---- the patient's pages ---------------------------------------------------------------------------------
class IinForm(Form):
    iin = StringField(_l("Your IIN"), validators=[DataRequired(_l("Enter the IIN.")), Length(max=20)])


class CodeForm(Form):
    code = StringField(
        _l("Code from the SMS"), validators=[DataRequired(_l("Enter the 6-digit code from the SMS."))]
    )


class CallForm(Form):
    for_whom = RadioField(
        _l("Who needs the doctor?"),
        choices=[SelectChoice("self", _l("I do")), SelectChoice("relative", _l("A member of my family"))],
        default="self",
    )
    relative_iin = StringField(_l("The family member's IIN"), validators=[Length(max=20)])
    relationship = StringField(
        _l("Who they are to you"), validators=[Length(max=100)], description=_l("For example: mother, son.")
    )
    address = StringField(_l("Address where the doctor should come"), validators=[Length(max=500)])
    # Set once the caller was asked to give a family member's address themselves: what they type then is kept.
    address_checked = HiddenField()
    complaint = TextAreaField(_l("Condition and complaint"), validators=[Length(max=2000)])
    temperature = StringField(_l("Temperature, °C"), validators=[Length(max=10)])
    red_flags = CheckboxesField(
        _l("Is any of this happening now?"),
        choices=[SelectChoice(flag, RED_FLAG_LABELS[flag]) for flag in RED_FLAGS],
    )
    callback_phone = StringField(_l("Phone to call back"), validators=[Length(max=30)])


# ---- the staff's pages -----------------------------------------------------------------------------------
class DeskCallForm(Form):
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


class AssignForm(Form):
    doctor = SelectField(_l("Doctor"), validators=[DataRequired(_l("Choose a doctor from the list."))])
    starts_at = SelectField(_l("Window starts at"), validators=[Optional()])


class CancelForm(Form):
    note = StringField(_l("Reason (optional)"), validators=[Optional(), Length(max=300)])


class OutcomeForm(Form):
    outcome = RadioField(
        _l("Outcome"),
        choices=[SelectChoice(outcome, OUTCOME_LABELS[outcome]) for outcome in OUTCOMES],
        validators=[DataRequired(_l("Choose what happened: visited, not at home or hospitalised."))],
    )
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)])
