from flask_babel import lazy_gettext as _l
from wtforms import RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from app.forms import Form
from app.models.feedback import SURVEY_RATINGS
from app.services.survey import QUESTION_TEXTS, RATING_LABELS, question_texts


class LookupForm(Form):
    number = StringField(
        _l("Request or complaint number"),
        validators=[
            InputRequired(message=_l("Enter the number, for example AP-2026-000123.")),
            Length(max=20, message=_l("A number has at most 20 characters.")),
        ],
    )


class CodeForm(Form):
    code = StringField(
        _l("Code from the SMS"),
        validators=[
            InputRequired(message=_l("Enter the 6-digit code from the SMS.")),
            Length(max=12, message=_l("Enter the 6-digit code from the SMS.")),
        ],
    )


def _rating_field(question: str) -> RadioField:
    return RadioField(
        QUESTION_TEXTS[question],
        choices=[SelectChoice(rating, RATING_LABELS[rating]) for rating in SURVEY_RATINGS],
        validators=[InputRequired(message=_l("Choose one answer."))],
        validate_choice=False,  # the survey service checks the rating and says so in the user's language
    )


class SurveyForm(Form):
    process_rating = _rating_field("process")  # not "process": that name is a method of every form
    information_rating = _rating_field("information")

    def worded_for(self, channel: str) -> "SurveyForm":
        """The questions in the words the survey service gives for the channel the request was made on."""
        texts = question_texts(channel)
        self.process_rating.label.text = texts["process"]
        self.information_rating.label.text = texts["information"]
        return self
