from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from app.services import attachment as attachment_service


class IinForm(FlaskForm):
    iin = StringField(_l("Your IIN"), validators=[DataRequired(_l("Enter the IIN.")), Length(max=20)])


class CodeForm(FlaskForm):
    code = StringField(
        _l("Code from the SMS"),
        validators=[DataRequired(_l("Enter the 6-digit code from the SMS.")), Length(max=12)],
    )


class ApplicationForm(FlaskForm):
    """What the person asks for; the service checks every value and names the field that is wrong."""

    address = TextAreaField(
        _l("Address where you live"),
        validators=[InputRequired(_l("Enter the address where you live: street, house and flat."))],
        render_kw={"rows": 2, "maxlength": attachment_service.MAX_ADDRESS},
    )
    preferred_doctor_id = SelectField(_l("Preferred district doctor"), validate_choice=False)
    reason = RadioField(
        _l("Reason for the application"),
        choices=[SelectChoice(code, label) for code, label in attachment_service.REASON_LABELS.items()],
        validators=[InputRequired(_l("Choose the reason for the application."))],
        validate_choice=False,
    )
    reason_note = TextAreaField(
        _l("Details (required for another reason)"),
        render_kw={"rows": 2, "maxlength": attachment_service.MAX_NOTE},
    )

    def fill_doctor_choices(self) -> None:
        from flask_babel import gettext as _

        self.preferred_doctor_id.choices = [("", _("No preference: the district of the address"))] + [
            (
                str(doctor.id),
                _("District %(number)s: %(name)s", number=doctor.district.number, name=doctor.full_name),
            )
            for doctor in attachment_service.district_doctors()
        ]

    def preferred_doctor_value(self) -> int | None:
        value = (self.preferred_doctor_id.data or "").strip()
        return int(value) if value.isdigit() else None
