"""What any request may carry, checked once for every route before a view reads it.

- A control character (NUL and the other C0/C1 codes but tab, newline and carriage return) in a query or
  form value or name, an uploaded file's name or a URL part: the request is refused with a 400 page in the
  visitor's language. PostgreSQL cannot store NUL and no one types these; SQLite would keep them and such a
  database could not move to PostgreSQL.
- `<int:...>` in a route matches only numbers an `integer` column holds: anything larger is a 404, never a
  database overflow.

Forms do the rest field by field (app/forms.py: lengths, ranges, bidi controls); values read straight from
the query string go through app.core.inputs.
"""

from flask import Flask, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter, ValidationError

from app.core.inputs import INT_MAX, has_control_characters

CONTROL_CHARACTERS_MESSAGE = _l(
    "What you sent contains invisible control characters that cannot be saved. "
    "Nothing was saved: go back, retype the text and send it again."
)


class ControlCharactersRefused(BadRequest):
    """A request carrying control characters; `message` says so in the visitor's language."""

    message = CONTROL_CHARACTERS_MESSAGE


class DatabaseIntegerConverter(IntegerConverter):
    """`<int:...>`: a non-negative number that fits a database integer column; anything else is a 404."""

    def __init__(self, map, fixed_digits=0, min=None, max=INT_MAX, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)

    def to_python(self, value: str):
        if len(value) > len(str(INT_MAX)) + 1:
            raise ValidationError()
        return super().to_python(value)


def init_app(app: Flask) -> None:
    """Before the blueprints: routes take the converter when they are added to the map."""
    app.url_map.converters["int"] = DatabaseIntegerConverter
    # First of the request hooks, so nothing reads a value before it is checked.
    app.before_request_funcs.setdefault(None, []).insert(0, _refuse_control_characters)


def _refuse_control_characters() -> None:
    if any(has_control_characters(text) for text in _texts_of_request()):
        raise ControlCharactersRefused()


def _texts_of_request():
    for key, value in request.args.items(multi=True):
        yield key
        yield value
    for value in (request.view_args or {}).values():
        if isinstance(value, str):
            yield value
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    for key, value in request.form.items(multi=True):
        yield key
        yield value
    for key, upload in request.files.items(multi=True):
        yield key
        yield upload.filename or ""
