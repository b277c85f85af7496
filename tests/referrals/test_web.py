"""The referral pages: the review with the profile's checklist (htmx), bad input kept, the decision with its
reason, the Bureau's outage and the queue, the answer typed in, the talon PDF,
the list by status and hospital, and the patient's /status."""

import io
from datetime import date, timedelta

import pytest
from pypdf import PdfReader

from app.core.clock import local_now
from app.extensions import db
from app.services import document_signing, referrals
from app.signing import check_pdf
from tests.conftest import page_text
from tests.referrals.factories import make_clinic, make_patient


@pytest.fixture
def patient(app):
    make_clinic()
    return make_patient(43, language="ru", phone="+77017770043")


def exam_dates(profile: str, days_ago: int = 2) -> dict:
    day = local_now().date() - timedelta(days=days_ago)
    return {f"exam_{code}": day.isoformat() for code in referrals.required_for(profile)}


def review(patient, **fields) -> dict:
    data = {"iin": patient.iin, "profile": "therapy", "diagnosis": "I11.9", "decision": "send"}
    data.update(exam_dates("therapy"))
    data.update(fields)
    return data


def test_the_checklist_follows_the_profile(client, login, patient):
    login("referral_specialist")
    page = client.get(f"/staff/referrals/new?iin={patient.iin}")
    assert page.status_code == 200 and patient.full_name in page_text(page)
    fragment = client.get("/staff/referrals/checklist?profile=surgery", headers={"HX-Request": "true"})
    html = fragment.get_data(as_text=True)
    assert 'id="checklist"' in html and "exam_coagulogram" in html and "<html" not in html


def test_an_expired_examination_keeps_the_form_and_saves_nothing(client, login, patient):
    login("referral_specialist")
    old = (local_now().date() - timedelta(days=40)).isoformat()
    response = client.post("/staff/referrals/new", data=review(patient, exam_ecg=old))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert old in html and "I11.9" in html and 'aria-invalid="true"' in html
    assert referrals.referrals() == []


def test_a_decision_needs_its_reason(client, login, patient):
    login("referral_specialist")
    response = client.post("/staff/referrals/new", data=review(patient, decision="not_indicated", reason=""))
    assert response.status_code == 422 and referrals.referrals() == []
    response = client.post(
        "/staff/referrals/new", data=review(patient, decision="not_indicated", reason="Нет показаний")
    )
    assert response.status_code == 303
    referral = referrals.referrals()[0]
    assert referral.status == "not_indicated" and referral.request.refusal_ground is None


def test_from_review_to_the_printed_talon(client, login, patient):
    login("referral_specialist")
    response = client.post("/staff/referrals/new", data=review(patient))
    assert response.status_code == 303
    number = response.headers["Location"].rsplit("/", 1)[1]
    referral = referrals.find_by_number(number)
    assert referral.status == "at_bureau"
    past = client.post(
        f"/staff/referrals/{number}/answer",
        data={"bureau_code": "KZ-77", "hospital": "ГКБ №7", "hospitalization_date": "2026-11-20"},
    )
    assert past.status_code == 422 and "KZ-77" in past.get_data(as_text=True)
    assert referral.status == "at_bureau"
    answer = client.post(
        f"/staff/referrals/{number}/answer",
        data={"bureau_code": "KZ-77", "hospital": "ГКБ №7", "hospitalization_date": "2026-12-02"},
    )
    assert answer.status_code == 303
    for language, title in (("ru", "Талон на госпитализацию"), ("kk", "Емдеуге жатқызу талоны")):
        pdf = client.get(f"/staff/referrals/{number}/talon.pdf?lang={language}")
        assert pdf.status_code == 200
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
        assert title in text.replace("\n", " ") and "KZ-77" in text and "02.12.2026" in text
        assert "HRT-2026-" in text and check_pdf(pdf.data).valid
    assert client.post(f"/staff/referrals/{number}/hand-over").status_code == 303
    assert referrals.find_by_number(number).status == "handed_over"
    listing = client.get("/staff/referrals/?hospital=ГКБ №7", headers={"HX-Request": "true"})
    assert number in listing.get_data(as_text=True)


def test_a_talon_waiting_for_its_signature_is_never_handed_out_unsigned(
    app, client, login, patient, tmp_path
):
    login("referral_specialist")
    number = client.post("/staff/referrals/new", data=review(patient)).headers["Location"].rsplit("/", 1)[1]
    client.post(
        f"/staff/referrals/{number}/answer",
        data={"bureau_code": "KZ-78", "hospital": "ГКБ №7", "hospitalization_date": "2026-12-02"},
    )
    key_file = app.config["SIGNING_KEY_FILE"]
    app.config["SIGNING_KEY_FILE"] = str(tmp_path / "none.p12")  # the signer is down
    waiting = client.get(f"/staff/referrals/{number}/talon.pdf?lang=kk")
    assert waiting.status_code == 202 and waiting.mimetype == "text/html" and b"%PDF" not in waiting.data
    app.config["SIGNING_KEY_FILE"] = key_file
    assert document_signing.sign_pending().signed == 1
    db.session.commit()
    signed = client.get(f"/staff/referrals/{number}/talon.pdf?lang=kk")  # the same talon, now signed
    assert signed.status_code == 200 and check_pdf(signed.data).valid
    assert document_signing.count_pending() == 0


def test_a_bureau_outage_queues_and_the_list_retries(app, client, login, patient):
    login("referral_specialist")
    app.config.update(BUREAU_BACKEND="http", BUREAU_URL="")
    response = client.post("/staff/referrals/new", data=review(patient))
    assert response.status_code == 303
    referral = referrals.referrals()[0]
    assert referral.status == "queued"
    listing = page_text(client.get("/staff/referrals/"))
    assert referral.number in listing
    assert client.post("/staff/referrals/retry-queue").status_code == 303
    assert referrals.referrals()[0].status == "queued"
    app.config["BUREAU_BACKEND"] = "embedded"
    assert client.post("/staff/referrals/retry-queue").status_code == 303
    db.session.expire_all()
    assert referrals.referrals()[0].status == "at_bureau"


def test_the_patient_follows_the_referral_on_status(client, login, make_staff, patient):
    from app.core.actors import Actor
    from tests.referrals.factories import complete_package

    staff = make_staff(username="spec", roles=("referral_specialist",))
    referral = referrals.review_and_send(
        patient, complete_package(local_now().date()), actor=Actor.of_staff(staff)
    )
    referrals.record_answer(referral, "KZ-5", "ГКБ №4", date(2026, 12, 3), actor=Actor.of_staff(staff))
    db.session.commit()
    summary = referrals.referral_summary(referral.request)
    assert [fact.value for fact in summary.facts][-1] == "KZ-5"
