from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from app.forms import Form
from app.services import catalogue


class LocalDateField(DateField):
    """A date field whose "not a date" message is ours, so it is translated like every other message."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(_l("Enter a date as day, month and year.")) from error


class PeriodForm(Form):
    """The report's filter, sent by GET so a report has a link; no CSRF token, it changes nothing."""

    class Meta:
        csrf = False

    date_from = LocalDateField(_l("From"), validators=[InputRequired(message=_l("Enter a date."))])
    date_to = LocalDateField(_l("To"), validators=[InputRequired(message=_l("Enter a date."))])
    service = SelectField(_l("Service"), validate_choice=False)

    def fill_choices(self) -> None:
        self.service.choices = [SelectChoice("", _l("All services"))] + [
            SelectChoice(service.slug, str(service.name)) for service in catalogue.all_services()
        ]

    @property
    def service_slug(self) -> str | None:
        slugs = {service.slug for service in catalogue.all_services()}
        return self.service.data if self.service.data in slugs else None
