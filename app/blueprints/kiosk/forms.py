from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length


class ActivateForm(FlaskForm):
    token = StringField(_l("Device token"), validators=[DataRequired(), Length(max=100)])


class RegisterKioskForm(FlaskForm):
    name = StringField(_l("Where the kiosk stands"), validators=[DataRequired(), Length(max=100)])
