from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from app.services.complaints import MAX_TEXT


class ComplaintForm(FlaskForm):
    """What regulation 004, item 10 asks of a complaint, plus the text and the request it concerns."""

    complainant_name = StringField(
        _l("Surname, name and patronymic"),
        validators=[
            InputRequired(message=_l("Enter your surname, name and patronymic.")),
            Length(max=200, message=_l("At most %(max)d characters.")),
        ],
    )
    iin = StringField(
        _l("IIN"),
        validators=[
            InputRequired(message=_l("Enter the IIN.")),
            Length(max=20, message=_l("At most %(max)d characters.")),
        ],
    )
    postal_address = StringField(
        _l("Postal address"),
        validators=[
            InputRequired(message=_l("Enter the postal address for the written answer.")),
            Length(max=500, message=_l("At most %(max)d characters.")),
        ],
    )
    phone = StringField(
        _l("Mobile phone"),
        validators=[
            InputRequired(message=_l("Enter a Kazakhstan phone number, for example +7 701 123 45 67.")),
            Length(max=20, message=_l("At most %(max)d characters.")),
        ],
    )
    text = TextAreaField(
        _l("Your complaint"),
        validators=[
            InputRequired(message=_l("Describe what you are complaining about.")),
            Length(max=MAX_TEXT, message=_l("At most %(max)d characters.")),
        ],
    )
    related_number = StringField(
        _l("Number of the request the complaint is about (if any)"),
        validators=[Length(max=20, message=_l("At most %(max)d characters."))],
    )


class DeskComplaintForm(ComplaintForm):
    language = SelectField(
        _l("Language of the written answer"),
        choices=[SelectChoice("kk", "Қазақша"), SelectChoice("ru", "Русский")],
    )


class AnswerForm(FlaskForm):
    answer_text = TextAreaField(
        _l("Answer to the complaint"),
        validators=[Length(max=MAX_TEXT, message=_l("At most %(max)d characters."))],
    )
