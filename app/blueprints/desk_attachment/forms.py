from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from app.blueprints.attachment.forms import ApplicationForm

# A hint for the browser's file picker only: the content itself is checked on upload (app.services.uploads).
ACCEPTED_FILES = "image/jpeg,image/png,application/pdf"


class DeskApplicationForm(ApplicationForm):
    """The registrar's form for an application made in person (a free-form paper application and an ID)."""

    address = TextAreaField(
        _l("Address where the person lives"),
        validators=[DataRequired(_l("Enter the address where you live: street, house and flat."))],
        render_kw={"rows": 2, "maxlength": 500},
    )
    iin = StringField(_l("IIN"), validators=[DataRequired(_l("Enter the IIN.")), Length(max=20)])
    phone = StringField(_l("Contact mobile phone"), validators=[Optional(), Length(max=30)])
    language = SelectField(
        _l("Language of the talon and the SMS"),
        choices=[SelectChoice("kk", "Қазақша"), SelectChoice("ru", "Русский")],
        validators=[DataRequired()],
    )
    identity_checked = BooleanField(_l("The identity document was presented and checked"))
    application_file = FileField(_l("Application (scan or photo)"), render_kw={"accept": ACCEPTED_FILES})
    identity_file = FileField(_l("Identity document (scan or photo)"), render_kw={"accept": ACCEPTED_FILES})


class ApproveForm(FlaskForm):
    district_id = SelectField(_l("District"), validate_choice=False)


class RefuseForm(FlaskForm):
    ground = SelectField(_l("Ground of the refusal"), validate_choice=False)
    note = TextAreaField(
        _l("Explanation for the applicant (optional)"), render_kw={"rows": 2, "maxlength": 1000}
    )
