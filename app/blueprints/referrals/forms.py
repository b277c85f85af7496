"""Forms of the referral pages. The examination dates of the checklist are read by the view (their names
depend on the profile); the rules live in app.services.referrals, which names the field it refuses."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from app.forms import DiagnosisField, Form
from app.services.referrals import DECISION_LABELS, PROFILE_LABELS, PROFILES


class ReviewForm(Form):
    iin = HiddenField()
    profile = SelectField(
        _l("Receiving department's profile"),
        choices=[SelectChoice("", "—")] + [SelectChoice(code, PROFILE_LABELS[code]) for code in PROFILES],
        validators=[DataRequired(_l("Choose the receiving department's profile."))],
    )
    diagnosis = DiagnosisField(validators=[Optional()])
    preferred_hospital = StringField(_l("Preferred hospital (optional)"), validators=[Length(max=300)])
    decision = SelectField(
        _l("Decision"),
        choices=[SelectChoice("send", _l("Send to the Bureau"))]
        + [SelectChoice(code, label) for code, label in DECISION_LABELS.items()],
        default="send",
        validators=[DataRequired()],
    )
    reason = TextAreaField(_l("Medical reason (for a decision)"), validators=[Length(max=2000)])


class AnswerForm(Form):
    bureau_code = StringField(_l("Bureau referral code"), validators=[Length(max=60)])
    hospital = StringField(_l("Receiving hospital"), validators=[Length(max=300)])
    hospitalization_date = DateField(_l("Hospitalization date"), validators=[Optional()])


class ActionForm(Form):
    """A button that only needs the CSRF token."""
