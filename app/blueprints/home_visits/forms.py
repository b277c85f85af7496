"""Forms of the public home-call pages. Field checks here; the rules of the service live in
app.services.home_visits, which names the field it refuses."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from app.models.home_visits import RED_FLAGS
from app.services.home_visits import RED_FLAG_LABELS


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class IinForm(FlaskForm):
    iin = StringField(_l("Your IIN"), validators=[DataRequired(_l("Enter the IIN.")), Length(max=20)])


class CodeForm(FlaskForm):
    code = StringField(
        _l("Code from the SMS"), validators=[DataRequired(_l("Enter the 6-digit code from the SMS."))]
    )


class CallForm(FlaskForm):
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
    complaint = TextAreaField(_l("Condition and complaint"), validators=[Length(max=2000)])
    temperature = StringField(_l("Temperature, °C"), validators=[Length(max=10)])
    red_flags = CheckboxesField(
        _l("Is any of this happening now?"),
        choices=[SelectChoice(flag, RED_FLAG_LABELS[flag]) for flag in RED_FLAGS],
    )
    callback_phone = StringField(_l("Phone to call back"), validators=[Length(max=30)])
