"""Forms of the inpatient extract pages. The service (app.services.inpatient_extracts) names the field it
refuses."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from app.forms import DiagnosisField, Form
from app.services import inpatient_extracts


class SummaryForm(Form):
    iin = StringField(_l("Patient's IIN"), validators=[Length(max=20)])
    card_number = StringField(_l("Medical record number"), validators=[Length(max=30)])
    department = StringField(_l("Department"), validators=[Length(max=200)])
    admitted_on = DateField(_l("Admitted"), validators=[Optional()])
    discharged_on = DateField(_l("Discharged"), validators=[Optional()])
    main_diagnosis = DiagnosisField(_l("Main diagnosis (ICD-10)"), validators=[Length(max=20)])
    other_diagnoses = StringField(
        _l("Other diagnoses (ICD-10)"),
        validators=[Length(max=200)],
        description=_l("Codes separated by commas, for example: I10, E11.9."),
    )
    examinations = TextAreaField(_l("Examinations and their results"), validators=[Length(max=4000)])
    treatment = TextAreaField(_l("Treatment"), validators=[Length(max=4000)])
    condition = TextAreaField(_l("Condition at discharge"), validators=[Length(max=4000)])
    recommendations = TextAreaField(_l("Recommendations"), validators=[Length(max=4000)])
    sick_leave = StringField(_l("Sick leave"), validators=[Length(max=300)])

    def summary(self) -> inpatient_extracts.DischargeSummary:
        return inpatient_extracts.DischargeSummary(
            card_number=self.card_number.data or "",
            department=self.department.data or "",
            admitted_on=self.admitted_on.data,
            discharged_on=self.discharged_on.data,
            main_diagnosis=self.main_diagnosis.data or "",
            other_diagnoses=inpatient_extracts.split_codes(self.other_diagnoses.data or ""),
            examinations=self.examinations.data or "",
            treatment=self.treatment.data or "",
            condition=self.condition.data or "",
            recommendations=self.recommendations.data or "",
            sick_leave=self.sick_leave.data or "",
        )


class HeadForm(Form):
    surname = StringField(_l("Your surname, in full"), validators=[Length(max=100)])


class StampForm(Form):
    stamped = BooleanField(_l("The provider's stamp is applied"))


class HandOverForm(Form):
    identity_document = StringField(
        _l("Identity document presented (kind and number)"), validators=[Length(max=200)]
    )
    handed_to = StringField(_l("Handed to (full name)"), validators=[Length(max=200)])


class SendBackForm(Form):
    to_step = SelectField(_l("Back to"), validate_choice=False)
    reason = TextAreaField(_l("Why it goes back"), validators=[Length(max=500)])


class ModuleForm(Form):
    enabled = BooleanField(_l("The clinic has a day hospital and issues inpatient extracts"))
