"""Forms of the admin pages: field-level checks here, rules that involve other rows in the services."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, NumberRange, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from app.forms import Form
from app.models import District
from app.models.staff import ROLES
from app.services.audit import ACTION_LABELS, ACTIONS
from app.services.clinic import DISTRICT_KINDS, MAX_DISTRICT_NUMBER, MAX_POPULATION_NORM, WEEKDAYS
from app.services.specialities import SPECIALITIES
from app.services.staff_accounts import ROLE_LABELS

PHONE = Regexp(r"^[0-9+()\- ]*$", message=_l("A phone number may contain digits, spaces, +, - and brackets."))


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _optional_choice(label) -> list[SelectChoice]:
    return [SelectChoice("", label)]


class StaffDetailsForm(Form):
    """What an admin may change on any account."""

    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    roles = CheckboxesField(
        _l("Roles"),
        choices=[SelectChoice(role, ROLE_LABELS[role]) for role in ROLES],
    )  # "at least one role" is the service's rule, with its own message
    speciality = SelectField(_l("Speciality (doctors only)"), validate_choice=True)
    district = SelectField(_l("District (district doctors only)"), validate_choice=True)
    room = StringField(_l("Room"), validators=[Length(max=20)])
    phone = StringField(_l("Work phone"), validators=[Optional(), Length(max=20), PHONE])

    def fill_choices(self, districts: list[District], language: str) -> None:
        self.speciality.choices = _optional_choice(_l("No speciality")) + [
            SelectChoice(s.code, s.name_ru if language == "ru" else s.name_kk) for s in SPECIALITIES
        ]
        self.district.choices = _optional_choice(_l("No district")) + [
            SelectChoice(
                str(d.id), _("District %(number)s: %(kind)s", number=d.number, kind=DISTRICT_KINDS[d.kind])
            )
            for d in districts
        ]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if valid and "doctor" in (self.roles.data or []) and not self.speciality.data:
            self.speciality.errors.append(_l("Choose the doctor's speciality."))
            return False
        return valid

    @property
    def district_id(self) -> int | None:
        return int(self.district.data) if self.district.data else None


class StaffCreateForm(StaffDetailsForm):
    username = StringField(
        _l("Username"),
        validators=[DataRequired(), Length(min=2, max=80)],
        description=_l("Latin letters, digits, dots, dashes or underscores, e.g. a.nurlanova"),
    )
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    password_again = PasswordField(
        _l("Password again"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
    )


class PasswordResetForm(Form):
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200)])
    new_password_again = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The two passwords differ."))],
    )


class ClinicProfileForm(Form):
    name_kk = StringField(_l("Name in Kazakh"), validators=[DataRequired(), Length(max=300)])
    name_ru = StringField(_l("Name in Russian"), validators=[DataRequired(), Length(max=300)])
    code = StringField(_l("Code in the register of attached population"), validators=[Length(max=20)])
    address_kk = StringField(_l("Address in Kazakh"), validators=[Length(max=500)])
    address_ru = StringField(_l("Address in Russian"), validators=[Length(max=500)])
    phones = StringField(_l("Phones"), validators=[Length(max=200), PHONE])
    email = StringField(
        _l("Email"),
        validators=[
            Optional(),
            Length(max=200),
            Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Enter an email address like info@clinic.kz.")),
        ],
    )
    attached_population_norm = IntegerField(
        _l("Attached population norm"),
        validators=[InputRequired(), NumberRange(min=1, max=MAX_POPULATION_NORM)],
    )

    def hour_fields(self):
        """(ISO weekday, opens field, closes field) for the seven days of the week."""
        return [(day, self[f"hours_{day}_opens"], self[f"hours_{day}_closes"]) for day in WEEKDAYS]

    def working_hours(self) -> dict:
        return {
            day: (opens.data, closes.data) if opens.data is not None and closes.data is not None else None
            for day, opens, closes in self.hour_fields()
        }

    def fill_hours(self, working_hours: dict) -> None:
        for day, opens, closes in self.hour_fields():
            span = working_hours.get(day)
            opens.data, closes.data = span if span else (None, None)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for _day, opens, closes in self.hour_fields():
            if opens.errors or closes.errors:
                continue
            if (opens.data is None) != (closes.data is None):
                missing = opens if opens.data is None else closes
                missing.errors.append(_l("Enter both times, or leave both empty for a day off."))
                valid = False
        return valid


# One pair of time inputs per weekday; both empty means the clinic is closed that day.
for _day in WEEKDAYS:
    setattr(ClinicProfileForm, f"hours_{_day}_opens", TimeField(_l("Opens"), validators=[Optional()]))
    setattr(ClinicProfileForm, f"hours_{_day}_closes", TimeField(_l("Closes"), validators=[Optional()]))


class DistrictForm(Form):
    number = IntegerField(
        _l("District number"), validators=[InputRequired(), NumberRange(min=1, max=MAX_DISTRICT_NUMBER)]
    )
    kind = SelectField(
        _l("Kind"), choices=[SelectChoice(kind, label) for kind, label in DISTRICT_KINDS.items()]
    )
    territory = TextAreaField(
        _l("Territory"),
        description=_l("Streets and houses of the district, one per line."),
        validators=[Length(max=20000)],
    )
    population_norm = IntegerField(
        _l("Population norm"), validators=[InputRequired(), NumberRange(min=1, max=MAX_POPULATION_NORM)]
    )


class CalendarExceptionForm(Form):
    day = DateField(_l("Day"), validators=[InputRequired()])
    kind = RadioField(
        _l("What the day becomes"),
        choices=[SelectChoice("working", _l("A working day")), SelectChoice("day_off", _l("A day off"))],
        validators=[InputRequired()],
    )
    note = StringField(
        _l("Reason"),
        description=_l("E.g. the government decree that moved the day."),
        validators=[Length(max=300)],
    )


class AuditFilterForm(Form):
    """Read from the query string: filtering the log changes nothing, so it needs no CSRF token."""

    class Meta:
        csrf = False

    staff = SelectField(_l("Staff member"), default="", validate_choice=True)
    action = SelectField(
        _l("Action"),
        default="",
        choices=_optional_choice(_l("Any action"))
        + [SelectChoice(action, ACTION_LABELS.get(action, action)) for action in ACTIONS],
        validate_choice=True,
    )
    patient = IntegerField(_l("Patient number"), validators=[Optional(), NumberRange(min=1)])
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])

    def fill_choices(self, staff_members) -> None:
        self.staff.choices = _optional_choice(_l("Anyone")) + [
            SelectChoice(str(member.id), f"{member.full_name} ({member.username})")
            for member in staff_members
        ]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if valid and self.date_from.data and self.date_to.data and self.date_from.data > self.date_to.data:
            self.date_to.errors.append(_l("The end of the period is before its start."))
            return False
        return valid
