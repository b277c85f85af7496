"""Forms of the PHC certificate pages. Field checks here; the service's rules (app.services.phc_certificates)
name the field they refuse."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from app.forms import Form
from app.services import phc_certificates


class ReceptionForm(Form):
    iin = StringField(_l("Patient's IIN"), validators=[Length(max=20)])
    kind = SelectField(_l("Kind of certificate"), validate_choice=False)
    purpose = StringField(
        _l("Purpose (where it is presented)"),
        validators=[Length(max=300)],
        description=_l("For example: to be presented where required."),
    )
    presented_by = RadioField(
        _l("Who presents the documents"),
        choices=[
            SelectChoice(code, phc_certificates.PRESENTER_LABELS[code])
            for code in phc_certificates.PRESENTERS
        ],
        default="self",
        validate_choice=False,
    )
    identity_document = StringField(_l("Identity document (kind and number)"), validators=[Length(max=200)])
    proxy_name = StringField(_l("Proxy's full name"), validators=[Length(max=200)])
    proxy_iin = StringField(_l("Proxy's IIN"), validators=[Length(max=20)])
    proxy_document_number = StringField(_l("Power of attorney number"), validators=[Length(max=50)])
    proxy_document_date = DateField(_l("Power of attorney date"), validators=[Optional()])

    def fill_kinds(self) -> "ReceptionForm":
        self.kind.choices = [
            SelectChoice(kind.code, str(kind.title)) for kind in phc_certificates.offered_kinds()
        ]
        return self

    def reception(self) -> phc_certificates.Reception:
        return phc_certificates.Reception(
            kind=self.kind.data or "",
            purpose=self.purpose.data or "",
            presented_by=self.presented_by.data or "self",
            identity_document=self.identity_document.data or "",
            proxy_name=self.proxy_name.data or "",
            proxy_iin=(self.proxy_iin.data or "").strip(),
            proxy_document_number=self.proxy_document_number.data or "",
            proxy_document_date=self.proxy_document_date.data,
        )


class DoctorForm(Form):
    conclusion = TextAreaField(_l("Conclusion"), validators=[Length(max=2000)])
    # The kinds' own fields (app.services.phc_certificates.KINDS); the page shows those of the request's kind.
    workplace = StringField(validators=[Length(max=300)])
    period = StringField(validators=[Length(max=300)])
    school = StringField(validators=[Length(max=300)])
    camp = StringField(validators=[Length(max=300)])
    vaccinations = TextAreaField(validators=[Length(max=2000)])
    contacts = StringField(validators=[Length(max=300)])

    def kind_values(self) -> dict:
        return {
            name: self[name].data
            for name in ("workplace", "period", "school", "camp", "vaccinations", "contacts")
        }


class SendBackForm(Form):
    reason = TextAreaField(_l("Why it goes back"), validators=[Length(max=500)])
