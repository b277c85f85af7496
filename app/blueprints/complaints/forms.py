from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from app.forms import Form
from app.services import complaints
from app.services.complaints import MAX_TEXT


def _text(label, *, max_length: int, required: str | None = None, field=StringField):
    """A text field of at most `max_length` characters; `required` is the message when it is left empty."""
    validators = [InputRequired(message=required)] if required else []
    validators.append(Length(max=max_length, message=_l("At most %(max)d characters.")))
    return field(label, validators=validators)


class ComplaintForm(Form):
    """What regulation 004, item 10 asks of a complaint, plus the text and the request it concerns.
    The public form (web and kiosk) uses it as it is; the desk adds the language of the answer."""

    complainant_name = _text(
        _l("Surname, name and patronymic"),
        max_length=200,
        required=_l("Enter your surname, name and patronymic."),
    )
    iin = _text(_l("IIN"), max_length=20, required=_l("Enter the IIN."))
    postal_address = _text(
        _l("Postal address"),
        max_length=500,
        required=_l("Enter the postal address for the written answer."),
    )
    phone = _text(
        _l("Mobile phone"),
        max_length=20,
        required=_l("Enter a Kazakhstan phone number, for example +7 701 123 45 67."),
    )
    text = _text(
        _l("Your complaint"),
        max_length=MAX_TEXT,
        required=_l("Describe what you are complaining about."),
        field=TextAreaField,
    )
    related_number = _text(_l("Number of the request the complaint is about (if any)"), max_length=20)

    def to_input(self) -> complaints.ComplaintInput:
        return complaints.ComplaintInput(
            complainant_name=self.complainant_name.data or "",
            iin=self.iin.data or "",
            postal_address=self.postal_address.data or "",
            phone=self.phone.data or "",
            text=self.text.data or "",
            related_number=self.related_number.data or "",
        )


class DeskComplaintForm(ComplaintForm):
    # The registrar writes down someone else's complaint: not "Your complaint".
    text = _text(
        _l("Text of the complaint"),
        max_length=MAX_TEXT,
        required=_l("Describe what the person is complaining about."),
        field=TextAreaField,
    )
    language = SelectField(
        _l("Language of the written answer"),
        choices=[SelectChoice("kk", "Қазақша"), SelectChoice("ru", "Русский")],
    )


class AnswerForm(Form):
    answer_text = _text(_l("Answer to the complaint"), max_length=MAX_TEXT, field=TextAreaField)


def show_error(form: Form, error: complaints.ComplaintError) -> None:
    """The service's refusal beside the field it names, or above the form."""
    field = form._fields.get(error.field) if error.field else None
    if field is not None:
        field.errors = [*field.errors, str(error.message)]
    else:
        form.form_errors.append(str(error.message))


def status_code(form: Form) -> int:
    return 422 if form.errors or form.form_errors else 200
