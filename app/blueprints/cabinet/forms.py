"""The cabinet's sign-in: the IIN, then the one-time code sent to the phone on file."""

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from app.forms import Form


class IinForm(Form):
    iin = StringField(_l("Your IIN"), validators=[DataRequired(_l("Enter the IIN.")), Length(max=20)])


class CodeForm(Form):
    code = StringField(
        _l("Code from the SMS"),
        validators=[DataRequired(_l("Enter the 6-digit code from the SMS.")), Length(max=20)],
    )
