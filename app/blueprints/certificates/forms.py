"""Every form of the information forms, the patient's and the registry desk's."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app.core.iin import InvalidIin, parse_iin
from app.forms import Form
from app.services.certificates import FORMS


def valid_iin(form, field):
    try:
        field.data = parse_iin(field.data or "").iin
    except InvalidIin as error:
        raise ValidationError(str(error.message)) from None


# The two forms of the shared patient sign-in (app.patient_sign_in): the IIN, then the code sent for it.
class IdentifyForm(Form):
    iin = StringField(_l("Your IIN"), validators=[valid_iin])


class SignInCodeForm(Form):
    code = StringField(
        _l("Code from the SMS"), validators=[DataRequired(_l("Enter the 6-digit code from the SMS."))]
    )


class RequestForm(Form):
    for_whom = RadioField(
        _l("Who is the form about?"),
        choices=[
            SelectChoice("self", _l("About me")),
            SelectChoice("other", _l("About another person, with their consent")),
        ],
        default="self",
        validators=[DataRequired()],
    )
    subject_iin = StringField(_l("IIN of the person the form is about"))

    def validate_subject_iin(self, field):
        if self.for_whom.data == "other":
            if not (field.data or "").strip():
                raise ValidationError(_l("Enter the IIN of the person the form is about."))
            valid_iin(self, field)


class ConsentCodeForm(Form):
    code = StringField(
        _l("Code the person received by SMS"),
        validators=[DataRequired(_l("Enter the 6-digit code from the SMS."))],
    )


class SubjectConsentForm(Form):
    code = StringField(_l("Code from the SMS"))


class DeskRequestForm(Form):
    register = SelectField(
        _l("Information form"), choices=[SelectChoice(key, spec.name) for key, spec in FORMS.items()]
    )
    subject_iin = StringField(_l("IIN of the person the form is about"), validators=[valid_iin])
    subject_present = RadioField(
        _l("Who applies?"),
        choices=[
            SelectChoice("yes", _l("The person themselves")),
            SelectChoice("no", _l("Someone else, for the person")),
        ],
        default="yes",
        validators=[DataRequired()],
    )
    applicant_name = StringField(_l("Applicant's full name"), validators=[Optional(), Length(max=200)])
    applicant_iin = StringField(_l("Applicant's IIN (if they have one)"), validators=[Optional(), valid_iin])
    identity_note = StringField(
        _l("Identity document checked (type and number)"), validators=[Optional(), Length(max=200)]
    )
    identity_checked = BooleanField(_l("I have checked the applicant's identity document"))

    def validate_applicant_name(self, field):
        if self.subject_present.data == "no" and not (field.data or "").strip():
            raise ValidationError(_l("Enter the applicant's full name."))
