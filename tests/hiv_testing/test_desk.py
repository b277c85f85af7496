"""The HIV testing staff pages: who may open what, the registration form's bad input, the hand-over against
the code, the printed talon, journal and certificate (their PDF text), /verify, the passport page."""

import re
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry, HivSettings, HivTest, ServiceRequest
from app.services import hiv_testing
from tests.conftest import TEST_PASSWORD, page_text
from tests.hiv_testing.factories import actor_for, kk, make_clinic, register

NO_SUCH_CODE_KK = "Мұндай дербес коды бар тексеру жоқ"


def pdf_text(response) -> str:
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(response.data)).pages)
    return re.sub(r"\s+", " ", text)


@pytest.fixture
def clinic(app):
    return make_clinic()


def test_the_counselling_doctor_registers_an_anonymous_test(client, login, clinic):
    login("counselling_doctor")
    page = client.get("/staff/hiv/new")
    assert page.status_code == 200
    response = client.post(
        "/staff/hiv/new",
        data={
            "regime": "anonymous",
            "sex": "M",
            "birth_year": "1988",
            "payer": "citizen",
            "reason": "voluntary",
            "pre_test_counselling": "y",
            "language": "ru",
        },
    )
    assert response.status_code == 303
    test = db.session.scalars(select(HivTest)).one()
    assert test.regime == "anonymous" and test.birth_year == 1988 and test.request.language == "ru"
    shown = page_text(client.get(response.headers["Location"]))
    assert hiv_testing.display_code(test.code) in shown


def test_bad_registration_input_is_refused_with_nothing_saved_and_nothing_lost(client, login, clinic):
    login("counselling_doctor")
    response = client.post(
        "/staff/hiv/new",
        data={
            "regime": "anonymous",
            "iin": "900714400000",
            "birth_year": "1890",
            "payer": "foreigner",
            "reason": "voluntary",
            "payment_receipt": "R-5",
        },
    )
    assert response.status_code == 422
    text = page_text(response)
    assert (
        kk("An anonymous test takes no IIN. To record an identity, choose the confidential regime.") in text
    )
    assert kk("Enter the amount paid.") in text and kk("Enter the date of payment.") in text
    assert kk("Record the pre-test counselling before referring to the procedure room.") in text
    assert 'value="R-5"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(HivTest.id))) == 0
    assert db.session.scalar(select(func.count(ServiceRequest.id))) == 0


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("counselling_doctor", True),
        ("procedure_nurse", True),
        ("lab", False),
        ("registrar", False),
        ("head", False),
    ],
)
def test_only_the_counselling_doctor_and_the_nurse_open_tests(
    client, login, clinic, make_staff, role, allowed
):
    test = register(actor_for(make_staff, "counselling_doctor", "cd0"))
    login(role)
    assert (client.get(f"/staff/hiv/tests/{test.id}").status_code == 200) is allowed
    assert (client.get("/staff/hiv/").status_code == 200) is allowed


def test_lists_are_searched_by_the_whole_code_or_sample_number_only(client, login, clinic, make_staff):
    doctor = actor_for(make_staff, "counselling_doctor", "cd0")
    first, second = register(doctor), register(doctor)
    login("procedure_nurse")
    found = page_text(
        client.get("/staff/hiv/", query_string={"q": hiv_testing.display_code(first.code).lower()})
    )
    assert (
        hiv_testing.display_code(first.code) in found and hiv_testing.display_code(second.code) not in found
    )
    partial = page_text(client.get("/staff/hiv/", query_string={"q": first.code[:5]}))
    assert hiv_testing.display_code(first.code) not in partial
    assert kk("No test has this personal code or sample number.") in partial


def test_a_talon_waiting_for_its_signature_is_not_handed_out(
    app, client, login, clinic, make_staff, tmp_path
):
    test = register(actor_for(make_staff, "counselling_doctor", "cd0"))
    login("procedure_nurse")
    assert client.post(f"/staff/hiv/tests/{test.id}/draw").status_code == 303
    app.config["SIGNING_KEY_FILE"] = str(tmp_path / "none.p12")  # the signer is down
    waiting = client.get(f"/staff/hiv/tests/{test.id}/talon.pdf")
    assert waiting.status_code == 202 and b"%PDF" not in waiting.data


def test_the_whole_flow_through_the_pages_prints_talon_and_certificate(client, login, clinic, make_staff):
    db.session.add(
        HivSettings(
            positive_term_days=3,
            negative_term_days=20,
            price=7000,
            room="114",
            hours_kk="Дс–Жм 14:00–16:00",
            hours_ru="Пн–Пт 14:00–16:00",
        )
    )
    db.session.commit()
    test = register(actor_for(make_staff, "counselling_doctor", "cd0"))
    code = hiv_testing.display_code(test.code)
    nurse = login("procedure_nurse")
    assert client.post(f"/staff/hiv/tests/{test.id}/draw").status_code == 303
    for talon_format in ("a6", "80mm"):
        talon = pdf_text(
            client.get(f"/staff/hiv/tests/{test.id}/talon.pdf", query_string={"format": talon_format})
        )
        assert code in talon and "25.11.2026" in talon and "114" in talon
        assert "Дата выдачи результата" in talon and "Нәтиже берілетін күн" in talon
        assert "HIVT-2026-" in talon
    client.post("/staff/logout")
    login("lab")
    lab_page = page_text(client.get("/staff/hiv/lab"))
    assert test.sample_number in lab_page and code not in lab_page
    assert (
        client.post("/staff/hiv/lab", data={"sample": test.sample_number, "result": "negative"}).status_code
        == 303
    )
    again = client.post("/staff/hiv/lab", data={"sample": test.sample_number, "result": "positive"})
    assert kk("A result has already been entered for this sample. Nothing was changed.") in page_text(again)
    client.post("/staff/logout")
    client.post("/staff/login", data={"username": nurse.username, "password": TEST_PASSWORD})
    found = client.post("/staff/hiv/hand-over", data={"code": code.lower().replace("-", " ")})
    assert kk("Issue the certificate") in page_text(found)
    issued = client.post("/staff/hiv/hand-over/certificate", data={"code": test.code})
    assert issued.status_code == 200
    db.session.expire_all()
    test = db.session.get(HivTest, test.id)
    certificate = pdf_text(client.get(f"/staff/hiv/tests/{test.id}/certificate.pdf"))
    assert code in certificate and "25.11.2026" in certificate and "25.02.2027" in certificate
    assert "антитела не обнаружены" in certificate and "антиденелер анықталған жоқ" in certificate
    assert "3 (үш) ай" in certificate and "3 (три) месяца" in certificate
    twice = client.post("/staff/hiv/hand-over/certificate", data={"code": test.code})
    assert kk("The result for this code has already been handed over. Nothing was changed.") in page_text(
        twice
    )
    # /verify of an anonymous certificate: the code, the dates, the validity; not the document number.
    verify = page_text(client.get(f"/verify/{test.certificate.verification_code}"))
    assert code in verify and "2027" in verify
    assert test.certificate.number not in verify


def test_an_unknown_code_at_the_hand_over_says_no_such_code_and_is_rate_limited(
    client, login, clinic, make_staff
):
    test = register(actor_for(make_staff, "counselling_doctor", "cd0"))
    login("procedure_nurse")
    near = test.code[:-1] + ("A" if test.code[-1] != "A" else "C")
    response = client.post("/staff/hiv/hand-over", data={"code": near})
    assert NO_SUCH_CODE_KK in page_text(response)
    for _ in range(9):
        client.post("/staff/hiv/hand-over", data={"code": "ACDEFHJKM"})
    held = client.post("/staff/hiv/hand-over", data={"code": test.code})
    assert kk(
        "Too many unknown codes were typed here. Please wait %(minutes)s minutes and try again.", minutes=15
    ) in page_text(held)
    assert kk("Issue the certificate") not in page_text(held)


def test_the_journal_page_and_pdf_are_keyed_by_the_code(client, login, clinic, make_staff):
    test = register(actor_for(make_staff, "counselling_doctor", "cd0"))
    login("counselling_doctor")
    assert hiv_testing.display_code(test.code) in page_text(client.get("/staff/hiv/journal"))
    journal = pdf_text(
        client.get("/staff/hiv/journal.pdf", query_string={"start": "2026-11-01", "end": "2026-11-30"})
    )
    assert hiv_testing.display_code(test.code) in journal
    assert "Дербес код" in journal and "Индивидуальный код" in journal
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.object_type == "hiv_journal")).all()
    assert {e.action for e in entry} == {"view", "print"}


def test_the_admin_sets_the_terms_and_the_passport_page_shows_them(client, login, clinic):
    login("admin")
    bad = client.post(
        "/staff/hiv/settings", data={"positive_term_days": "0", "negative_term_days": "x", "price": ""}
    )
    assert bad.status_code == 422
    response = client.post(
        "/staff/hiv/settings",
        data={
            "positive_term_days": "4",
            "negative_term_days": "12",
            "price": "6500",
            "room": "114",
            "hours_kk": "14:00–16:00",
            "hours_ru": "14:00–16:00",
        },
    )
    assert response.status_code == 303
    client.post("/staff/logout")
    passport = page_text(client.get("/services/hiv-testing"))
    assert (
        kk("Result of a negative test: in %(days)s working days after the blood draw.", days=12) in passport
    )
    assert (
        kk(
            "Result of a positive screening test (sent for confirmation): in %(days)s working days after the "
            "blood draw.",
            days=4,
        )
        in passport
        and "6500" in passport
    )
    assert kk("This service is not yet available online here.") not in passport
    assert kk("Start online") not in passport


def test_the_head_sees_figures_never_a_test(client, login, clinic, make_staff):
    register(actor_for(make_staff, "counselling_doctor", "cd0"))
    login("head")
    figures = client.get("/staff/hiv/figures")
    assert figures.status_code == 200
    assert re.search(kk("Tests registered") + r"\s+1", page_text(figures))
    assert client.get("/staff/hiv/").status_code == 403


def test_the_head_finds_an_hiv_certificate_but_cannot_open_its_pdf(client, login, clinic, make_staff):
    test = register(actor_for(make_staff, "counselling_doctor", "cd0"))
    hiv_testing.draw_blood(test, actor=actor_for(make_staff, "procedure_nurse", "n0"))
    hiv_testing.enter_result(test, "negative", actor=actor_for(make_staff, "lab", "l0"))
    document = hiv_testing.issue_certificate(test, actor=actor_for(make_staff, "procedure_nurse", "n1"))
    db.session.commit()
    login("head")
    page = client.get(f"/staff/documents/{document.id}")
    assert page.status_code == 200 and document.number in page_text(page)
    assert f"/staff/documents/{document.id}/pdf" not in page.get_data(as_text=True)
    assert client.get(f"/staff/documents/{document.id}/pdf").status_code == 403
