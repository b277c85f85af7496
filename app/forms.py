"""The base of every form (`Form`, and `SubForm` for a form nested in another): one place where every field
is bounded and normalised before a view or a service sees its value.

- Text fields (not passwords) lose bidi embedding, override and isolate controls, which would print a name
  or an address backwards (app.core.inputs); a text field that declares no Length gets one, so no value is
  ever larger than a line or a page of text.
- Integer fields hold only what a database integer holds; date fields only years the clinic can mean.
- A form reads posted form fields only: a JSON body counts as an empty form, and an uploaded file counts
  only in a file field (a file posted under a text or number field's name is not a value of it).
- Every message is in the visitor's language: WTForms' own ("Not a valid time value.") through Flask-WTF's
  translations, which `SubForm` shares with the forms it is nested in.

Control characters never reach a form: app/input_guard.py refuses the request first.
"""

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto
from werkzeug.datastructures import CombinedMultiDict, MultiDict
from wtforms import DateField, IntegerField, PasswordField, StringField, TextAreaField
from wtforms.fields import FileField, MultipleFileField
from wtforms.validators import Length, ValidationError

from app.core.i18n import current_language
from app.core.inputs import (
    EARLIEST_DAY,
    INT_MAX,
    INT_MIN,
    LATEST_DAY,
    is_reasonable_day,
    without_bidi_controls,
)
from app.services import icd10

# Caps for text fields that declare none: a line (names, notes, numbers) and a text area.
DEFAULT_MAX_LINE = 1000
DEFAULT_MAX_TEXT = 20000


def _plain_text(value):
    return without_bidi_controls(value) if isinstance(value, str) else value


def _integer_in_range(form, field) -> None:
    if field.data is not None and not INT_MIN <= field.data <= INT_MAX:
        raise ValidationError(_l("This number is out of range."))


def _day_in_range(form, field) -> None:
    if field.data is not None and not is_reasonable_day(field.data):
        raise ValidationError(
            _l(
                "Enter a date between %(first)s and %(last)s.",
                first=EARLIEST_DAY.year,
                last=LATEST_DAY.year,
            )
        )


def harden(field) -> None:
    """Add the bounds and filters every field of its kind needs (see the module's doc)."""
    if isinstance(field, StringField):
        if not any(isinstance(validator, Length) for validator in field.validators):
            cap = DEFAULT_MAX_TEXT if isinstance(field, TextAreaField) else DEFAULT_MAX_LINE
            field.validators = [*field.validators, Length(max=cap)]
        if not isinstance(field, PasswordField):
            field.filters = (*field.filters, _plain_text)
    elif isinstance(field, IntegerField):
        field.validators = [*field.validators, _integer_in_range]
    elif isinstance(field, DateField):
        field.validators = [*field.validators, _day_in_range]


def _file_field_names(form) -> set[str]:
    return {field.name for field in form if isinstance(field, FileField | MultipleFileField)}


class _BoundedMeta:
    def bind_field(self, form, unbound_field, options):
        field = super().bind_field(form, unbound_field, options)
        harden(field)
        return field

    def wrap_formdata(self, form, formdata):
        if formdata is not _Auto:
            return super().wrap_formdata(form, formdata)
        data = super().wrap_formdata(form, formdata)
        if data is None:
            return None
        if isinstance(data, CombinedMultiDict):
            wanted = _file_field_names(form)  # (no form here nests a file field in a FormField)
            files = MultiDict(
                (key, upload) for key, upload in request.files.items(multi=True) if key in wanted
            )
            return CombinedMultiDict((files, request.form)) if files else request.form
        if data is not request.form:  # a JSON body: this is not an API, the form is empty
            return request.form
        return data


class DiagnosisField(StringField):
    """An ICD-10 code (app.services.icd10): typed any way `icd10.normalise` understands ("j069", Cyrillic
    look-alikes), held as the classifier writes it ("J06.9"), refused when the classifier has no such code.
    An empty value is left to the form's DataRequired/Optional. Render it with `diagnosis_input` from
    app/templates/icd10/_field.html (the htmx search)."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label if label is not None else _l("Diagnosis (ICD-10)"), validators, **kwargs)

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data:
            self.data = icd10.normalise(self.data)

    def pre_validate(self, form):
        if self.data and icd10.find(self.data) is None:
            raise ValidationError(_l("No such ICD-10 code: %(code)s.", code=self.data))

    @property
    def diagnosis(self) -> "icd10.Diagnosis | None":
        return icd10.find(self.data) if self.data else None

    @property
    def diagnosis_title(self) -> str:
        """The held code's title in the page's language, or "" when it is not a real code."""
        diagnosis = self.diagnosis
        return diagnosis.title(current_language()) if diagnosis else ""


def with_own_ids(form, prefix: str):
    """`form` with its inputs' ids (and their labels') prefixed, for a page that shows one such form per row
    (a team's calls, the courses): the same id twice would tie a label to another row's input. The names,
    which the POST reads, stay as they are."""
    for bound in form:
        bound.id = f"{prefix}-{bound.id}"
        bound.label.field_id = bound.id
    return form


class Form(FlaskForm):
    """Every form of the app derives from this (tests/test_bad_input.py checks it)."""

    class Meta(_BoundedMeta):
        pass


class SubForm(Form):
    """A form nested in another (`FormField`): no CSRF token of its own, the same bounds and translations."""

    class Meta:
        csrf = False
