from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired

from app.forms import Form


class CheckPdfForm(Form):
    file = FileField(_l("PDF file"), validators=[FileRequired(_l("Choose the PDF file to check."))])
