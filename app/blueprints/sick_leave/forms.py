"""Forms of the sick-leave pages. Field checks here; the service's rules (app.services.sick_leave) name the
field they refuse."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.forms import DiagnosisField, Form
from app.services import sick_leave

MAX_THRESHOLD_DAYS = 365
SERVICE_LABELS = {
    sick_leave.SHEET: _l("Sick-leave sheet (for a working person)"),
    sick_leave.CERTIFICATE: _l("Sick-leave certificate (pupils, students, the unemployed)"),
}


def _choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(code, str(label)) for code, label in labels.items()]


class ReceptionForm(Form):
    iin = StringField(_l("Patient's IIN"), validators=[Length(max=20)])
    service = RadioField(
        _l("What the person needs"),
        choices=[SelectChoice(code, label) for code, label in SERVICE_LABELS.items()],
        default=sick_leave.SHEET,
        validate_choice=False,
    )
    identity_document = StringField(_l("Identity document (kind and number)"), validators=[Length(max=200)])


class ReceptionAgainForm(Form):
    identity_document = StringField(_l("Identity document (kind and number)"), validators=[Length(max=200)])


class DoctorForm(Form):
    starts_on = DateField(_l("Released from work from"), validators=[Optional()])
    ends_on = DateField(_l("Released from work to (inclusive)"), validators=[Optional()])
    issue_mode = RadioField(_l("How the sheet is issued"), default="paper", validate_choice=False)
    national_number = StringField(
        _l("Number of the electronic sheet in the national system"),
        validators=[Length(max=40)],
        description=_l("Only for an electronic sheet: the number the national system gave it."),
    )
    primary = RadioField(
        _l("Primary or continuation"),
        choices=[SelectChoice("yes", _l("Primary")), SelectChoice("no", _l("Continuation"))],
        default="yes",
        validate_choice=False,
    )
    continues_number = StringField(_l("Number of the sheet it continues"), validators=[Length(max=40)])
    cause = SelectField(_l("Cause of incapacity"), default="illness", validate_choice=False)
    regime = SelectField(_l("Regime"), default="outpatient", validate_choice=False)
    workplace = StringField(
        _l("Place of work (for a certificate: of study or work)"), validators=[Length(max=300)]
    )
    diagnosis = DiagnosisField(validators=[Optional()])
    diagnosis_consent = BooleanField(
        _l("The person agrees to the diagnosis being written on the certificate")
    )

    def fill_choices(self, language: str) -> "DoctorForm":
        self.issue_mode.choices = [
            SelectChoice(code, label.in_language(language)) for code, label in sick_leave.ISSUE_MODES.items()
        ]
        self.cause.choices = [
            SelectChoice(code, label.in_language(language)) for code, label in sick_leave.CAUSES.items()
        ]
        self.regime.choices = [
            SelectChoice(code, label.in_language(language)) for code, label in sick_leave.REGIMES.items()
        ]
        return self

    def fields(self) -> sick_leave.SheetFields:
        return sick_leave.SheetFields(
            starts_on=self.starts_on.data,
            ends_on=self.ends_on.data,
            issue_mode=self.issue_mode.data or "paper",
            national_number=(self.national_number.data or "").strip(),
            primary=(self.primary.data or "yes") == "yes",
            continues_number=self.continues_number.data or "",
            cause=self.cause.data or "",
            regime=self.regime.data or "",
            workplace=self.workplace.data or "",
            diagnosis=self.diagnosis.data or "",
            diagnosis_consent=bool(self.diagnosis_consent.data),
        )


class ConfirmForm(Form):
    """A signature with nothing to type (the head's, the issuing desk's): the CSRF token only."""


class CommissionForm(Form):
    protocol = StringField(_l("Number of the commission's protocol"), validators=[Length(max=60)])


class CloseForm(Form):
    outcome = RadioField(_l("How the sheet closes"), validate_choice=False)
    return_on = DateField(_l("Return to work from"), validators=[Optional()])
    diagnosis = DiagnosisField(_l("Diagnosis at closing (ICD-10)"), validators=[Optional()])

    def fill_choices(self, language: str) -> "CloseForm":
        self.outcome.choices = [
            SelectChoice(code, label.in_language(language)) for code, label in sick_leave.OUTCOMES.items()
        ]
        return self


class SendBackForm(Form):
    reason = TextAreaField(_l("Why it goes back"), validators=[Length(max=500)])


def _days(label):
    return IntegerField(
        label,
        validators=[DataRequired(_l("Enter a number of days.")), NumberRange(1, MAX_THRESHOLD_DAYS)],
    )


class SettingsForm(Form):
    doctor_alone_days = _days(_l("Days the attending doctor gives alone (beyond: the head of department)"))
    deputy_after_days = _days(_l("Days beyond which the deputy chief physician signs"))
    commission_after_days = _days(_l("Days beyond which the medical advisory commission decides"))
    backdate_days = IntegerField(
        _l("Days a sheet may be opened back (beyond: the commission)"),
        validators=[InputRequired(_l("Enter a number of days.")), NumberRange(0, MAX_THRESHOLD_DAYS)],
    )

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if not (
            self.doctor_alone_days.data <= self.deputy_after_days.data <= self.commission_after_days.data
        ):
            self.deputy_after_days.errors = [
                _l("The thresholds go up: the doctor's days, then the deputy's, then the commission's.")
            ]
            return False
        return True
