"""Every form of attachment: the patient's sign-in and application, and the desk's application, approval and
refusal. The service checks every value and names the field that is wrong."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.core.inputs import to_id
from app.forms import Form
from app.services import attachment

# A hint for the browser's file picker only: the content itself is checked on upload (app.services.uploads).
ACCEPTED_FILES = "image/jpeg,image/png,application/pdf"


class IinForm(Form):
    iin = StringField(_l("Your IIN"), validators=[DataRequired(_l("Enter the IIN.")), Length(max=20)])


class CodeForm(Form):
    code = StringField(
        _l("Code from the SMS"),
        validators=[DataRequired(_l("Enter the 6-digit code from the SMS.")), Length(max=12)],
    )


class ApplicationForm(Form):
    """What the person asks for; the service checks every value and names the field that is wrong."""

    address = TextAreaField(
        _l("Address where you live"),
        validators=[InputRequired(_l("Enter the address where you live: street, house and flat."))],
        render_kw={"rows": 2, "maxlength": attachment.MAX_ADDRESS},
    )
    preferred_doctor_id = SelectField(_l("Preferred district doctor"), validate_choice=False)
    reason = RadioField(
        _l("Reason for the application"),
        choices=[SelectChoice(code, label) for code, label in attachment.REASON_LABELS.items()],
        validators=[InputRequired(_l("Choose the reason for the application."))],
        validate_choice=False,
    )
    reason_note = TextAreaField(
        _l("Details (required for another reason)"),
        render_kw={"rows": 2, "maxlength": attachment.MAX_NOTE},
    )

    def fill_doctor_choices(self) -> None:
        self.preferred_doctor_id.choices = [("", _("No preference: the district of the address"))] + [
            (
                str(doctor.id),
                _("District %(number)s: %(name)s", number=doctor.district.number, name=doctor.full_name),
            )
            for doctor in attachment.district_doctors()
        ]

    def preferred_doctor_value(self) -> int | None:
        return to_id(self.preferred_doctor_id.data)

    def application_input(self, **values) -> attachment.ApplicationInput:
        """What the form says, for the service; `values` adds what is not a field of it (the IIN, ...)."""
        return attachment.ApplicationInput(
            address=self.address.data,
            reason=self.reason.data,
            reason_note=self.reason_note.data or "",
            preferred_doctor_id=self.preferred_doctor_value(),
            **values,
        )


class DeskApplicationForm(ApplicationForm):
    """The registrar's form for an application made in person (a free-form paper application and an ID)."""

    address = TextAreaField(
        _l("Address where the person lives"),
        validators=[DataRequired(_l("Enter the address where you live: street, house and flat."))],
        render_kw={"rows": 2, "maxlength": attachment.MAX_ADDRESS},
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

    def desk_input(self) -> attachment.ApplicationInput:
        return self.application_input(
            iin=self.iin.data,
            phone=self.phone.data or "",
            identity_checked=bool(self.identity_checked.data),
            language=self.language.data,
        )

    def uploads(self, files) -> list[attachment.UploadInput]:
        """The files posted (`request.files`), those that were chosen."""
        found = []
        for kind in ("application", "identity"):
            upload = files.get(f"{kind}_file")
            if upload is not None and upload.filename:
                found.append(attachment.UploadInput(kind, upload.stream, upload.filename))
        return found


class ApproveForm(Form):
    district_id = SelectField(_l("District"), validate_choice=False)


class RefuseForm(Form):
    ground = SelectField(_l("Ground of the refusal"), validate_choice=False)
    note = TextAreaField(
        _l("Explanation for the applicant (optional)"),
        render_kw={"rows": 2, "maxlength": attachment.MAX_NOTE},
    )
