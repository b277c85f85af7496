from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from app.forms import Form


class ActivateForm(Form):
    token = StringField(_l("Activation code"), validators=[DataRequired(), Length(max=100)])


class RegisterKioskForm(Form):
    name = StringField(_l("Where the kiosk stands"), validators=[DataRequired(), Length(max=100)])
