"""The printed documents: every certificate kind and the inpatient extract, in kk and ru, carry every label in
the document's language, the signatories (name, position, time), the seal places and the QR's address."""

from datetime import date

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _

from app.core.clock import now
from app.services import documents, inpatient_extracts, modules, phc_certificates, signoff
from tests.signed_documents.factories import make_clinic, make_patient, make_team, reception
from tests.test_documents import pdf_text

COMMON_LABELS = (
    "Full name",
    "Date of birth",
    "IIN",
    "Address",
    "Date of issue",
    "Signed by",
    "Position",
    "Time",
    "Place of the doctor's personal seal",
    "Place of the organisation's seal",
    "Document number",
    "Check this document: scan the QR code or open",
)
CERTIFICATE_LABELS = ("Attachment (register of attached population)", "Conclusion", "Purpose")
EXTRACT_LABELS = (
    "Extract from the medical record of an inpatient",
    "Medical record number",
    "Department",
    "Admitted",
    "Discharged",
    "Main diagnosis (ICD-10)",
    "Other diagnoses (ICD-10)",
    "Examinations and their results",
    "Treatment",
    "Condition at discharge",
    "Recommendations",
    "Sick leave",
    "Handed to",
    "Head of department (surname in full)",
)


@pytest.fixture
def team(app, make_staff):
    make_clinic()
    return make_team(make_staff)


def translated(labels, language):
    with force_locale(language):
        words = [_(label) for label in labels]
    untranslated = [label for label, word in zip(labels, words, strict=True) if word == label]
    assert not untranslated, f"not translated into {language}: {untranslated}"
    return words


def check_signatories(text, request, language):
    for signatory in signoff.signatories(request):
        assert signatory.name in text
        assert signatory.position(language) in text
        assert signatory.at.astimezone(now().tzinfo).strftime("%d.%m.%Y") in text
    assert "М.О." in text and "М.П." in text


def check_qr(request, text):
    document = request.result_document
    assert documents.find_by_verification_code(document.verification_code) is document
    assert document.verification_code in text.replace(" ", "")


@pytest.mark.parametrize("language", ["kk", "ru"])
@pytest.mark.parametrize("kind", sorted(phc_certificates.KINDS))
def test_each_certificate_kind_prints_its_labels_signatories_and_qr(team, kind, language):
    patient = make_patient(1)
    request = phc_certificates.receive(
        patient, reception(kind=kind), actor=team["registrar"], language=language
    )
    spec = phc_certificates.kind_of(kind)
    values = {field.name: f"мән-{field.name}" for field in spec.fields}
    phc_certificates.sign_as_doctor(
        request, conclusion="Дені сау, шектеу жоқ.", fields=values, actor=team["doctor"]
    )
    text = pdf_text(request.result_document.pdf)
    for word in translated(COMMON_LABELS + CERTIFICATE_LABELS, language):
        assert word in text, word
    assert spec.title.in_language(language) in text
    for field in spec.fields:
        assert field.label.in_language(language) in text and values[field.name] in text
    if spec.form_number is None:
        assert "035" not in text and "079" not in text  # the free-form certificate prints no form number
    else:
        assert spec.form_number.in_language(language) in text
    assert patient.full_name in text and "Дені сау, шектеу жоқ." in text
    check_signatories(text, request, language)
    check_qr(request, text)


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_inpatient_extract_prints_its_labels_four_signatories_and_qr(team, language):
    modules.switch(inpatient_extracts.MODULE, True, actor=team["head"])
    patient = make_patient(1)
    summary = inpatient_extracts.DischargeSummary(
        card_number="ДС-2026/311",
        department="Күндізгі стационар",
        admitted_on=date(2026, 11, 16),
        discharged_on=date(2026, 11, 25),
        main_diagnosis="J18.9",
        other_diagnoses=("I10",),
        condition="Қанағаттанарлық",
    )
    request = inpatient_extracts.write_summary(patient, summary, actor=team["doctor"], language=language)
    inpatient_extracts.sign_as_head(request, surname="Сапаров", actor=team["head_of_department"])
    inpatient_extracts.stamp(request, stamped=True, actor=team["senior_nurse"])
    inpatient_extracts.hand_over(
        request, identity_document="Жеке куәлік 041234567", handed_to="Ахметова Әсел", actor=team["registrar"]
    )
    text = pdf_text(request.result_document.pdf)
    for word in translated(COMMON_LABELS + EXTRACT_LABELS, language):
        assert word in text, word
    for value in ("ДС-2026/311", "J18.9", "Пневмония неуточненная", "I10", "Сапаров", "Ахметова Әсел"):
        assert value in text
    assert len(signoff.signatories(request)) == 4
    check_signatories(text, request, language)
    check_qr(request, text)
