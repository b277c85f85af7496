"""Forms of the training centre's pages. Field checks here; the rules of the service (who passed, the
duplicate's conditions, blanks used once) live in app.services.training, which names the field it refuses."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.forms import Form
from app.models.training import DEBT_KINDS, PROGRAMME_KINDS, RECEIVERS
from app.services.training import DEBT_KIND_LABELS, PROGRAMME_KIND_LABELS, RECEIVER_LABELS

MAX_PRICE = 10_000_000
MAX_HOURS = 10_000


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SettingsForm(Form):
    is_enabled = BooleanField(_l("The clinic runs a training centre (service 14 is given here)"))
    is_bilingual = BooleanField(_l("Print Kazakh labels beside the Russian ones on the documents"))
    duplicate_price = IntegerField(
        _l("Price of a duplicate in the price list, tenge"),
        validators=[InputRequired(), NumberRange(min=0, max=MAX_PRICE)],
    )


class CourseForm(Form):
    programme = StringField(_l("Programme"), validators=[DataRequired(), Length(max=300)])
    kind = SelectField(
        _l("Kind of programme"),
        choices=[SelectChoice(kind, PROGRAMME_KIND_LABELS[kind]) for kind in PROGRAMME_KINDS],
    )
    hours = IntegerField(_l("Hours"), validators=[InputRequired(), NumberRange(min=1, max=MAX_HOURS)])


class CohortForm(Form):
    code = StringField(_l("Cohort"), validators=[DataRequired(), Length(max=40)])
    starts_on = DateField(_l("First day of study"), validators=[InputRequired()])
    ends_on = DateField(_l("Last day of study"), validators=[InputRequired()])


class TraineeForm(Form):
    staff = SelectField(_l("Clinic staff member"), default="", validate_choice=True)
    full_name = StringField(_l("Surname, name, patronymic"), validators=[DataRequired(), Length(max=200)])
    iin = StringField(_l("IIN"), validators=[DataRequired(), Length(max=20)])
    workplace = StringField(_l("Place of work"), validators=[Length(max=300)])


class DecisionForm(Form):
    number = StringField(_l("Decision number"), validators=[DataRequired(), Length(max=40)])
    decided_on = DateField(_l("Date of the decision"), validators=[InputRequired()])
    passed = CheckboxesField(_l("Passed the final attestation"), coerce=int, validate_choice=True)


class PrepareForm(Form):
    blank_series = StringField(_l("Blank series"), validators=[DataRequired(), Length(max=20)])
    blank_number = StringField(_l("Blank number"), validators=[DataRequired(), Length(max=30)])
    signed_by = SelectField(_l("Signed by"), coerce=int, default=0, validate_choice=True)
    deputy_signed_by = SelectField(
        _l("Signed by the deputy head for academic work"), coerce=int, default=0, validate_choice=True
    )
    sealed = BooleanField(_l("Sealed with the organisation's seal"))


class HandOverForm(Form):
    received_by = RadioField(
        _l("Received"),
        choices=[SelectChoice(value, RECEIVER_LABELS[value]) for value in RECEIVERS],
        default="self",
        validators=[InputRequired()],
    )
    proxy_name = StringField(_l("Proxy: surname, name, patronymic"), validators=[Length(max=200)])
    power_of_attorney = StringField(_l("Power of attorney: number and date"), validators=[Length(max=120)])
    journal_signed = BooleanField(_l("The recipient signed in the accounting journal"))


class SuspendForm(Form):
    debt_kind = RadioField(
        _l("Debt"),
        choices=[SelectChoice(value, DEBT_KIND_LABELS[value]) for value in DEBT_KINDS],
        default="financial",
        validators=[InputRequired()],
    )
    reason = TextAreaField(_l("What is owed"), validators=[DataRequired(), Length(max=1000)])


class DuplicateForm(Form):
    applied_on = DateField(_l("Application received"), validators=[InputRequired()])
    loss_circumstances = TextAreaField(
        _l("How the original was lost (from the application)"), validators=[Length(max=2000)]
    )
    notice_title = StringField(_l("Newspaper"), validators=[Length(max=300)])
    notice_number = StringField(_l("Issue number"), validators=[Length(max=40)])
    notice_date = DateField(_l("Date of the issue"), validators=[Optional()])
    payment_document = StringField(_l("Payment document"), validators=[Length(max=60)])
    payment_amount = IntegerField(
        _l("Amount paid, tenge"), validators=[Optional(), NumberRange(min=0, max=MAX_PRICE)]
    )
    payment_date = DateField(_l("Date of payment"), validators=[Optional()])


class ConfirmForm(Form):
    """A button: the CSRF token is all it carries."""
