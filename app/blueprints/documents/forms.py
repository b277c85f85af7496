from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from app.forms import Form


class RevokeForm(Form):
    reason = TextAreaField(
        _l("Reason for revocation"),
        validators=[
            DataRequired(_l("Give the reason for revoking the document.")),
            Length(min=5, max=1000, message=_l("The reason must be 5 to 1000 characters long.")),
        ],
    )
