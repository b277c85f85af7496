"""The patient's booking flow through the Flask client, in Kazakh and in Russian."""

import io
import re
from datetime import timedelta

import pytest
from pypdf import PdfReader

from app.extensions import db
from app.models import Appointment, Document, RequestEvent
from app.models.notify import SmsMessage
from tests.appointments.factories import MONDAY, make_clinic, make_doctor, make_patient
from tests.conftest import CODE_SENT, on_the_code_step, page_text

TUESDAY = MONDAY + timedelta(days=1)
HX = {"HX-Request": "true"}


@pytest.fixture
def clinic(app, frozen):
    frozen(2026, 11, 23, 7, 30)
    return make_clinic()


@pytest.fixture
def doctor(clinic, make_staff):
    return make_doctor(make_staff, full_name="Жұмабаева Асель Қайратқызы")


def last_code(phone: str) -> str:
    message = db.session.query(SmsMessage).filter_by(phone=phone).order_by(SmsMessage.id.desc()).first()
    return re.search(r"\b(\d{6})\b", message.text).group(1)


def sign_in(client, patient):
    response = client.post("/appointments/code", data={"iin": patient.iin})
    assert response.status_code == 200
    assert on_the_code_step(response)
    response = client.post("/appointments/code/check", data={"code": last_code(patient.phone)})
    assert response.status_code == 303, page_text(response)
    assert response.headers["Location"].endswith("/appointments/choose")


def choose_url(doctor, day=TUESDAY, slot=None):
    url = f"/appointments/choose?speciality=therapist&doctor={doctor.id}&day={day.isoformat()}"
    return url + (f"&slot={slot}" if slot else "")


@pytest.mark.parametrize(
    "language, words",
    [
        ("kk", ("Дәрігердің қабылдауына талон", "Науқас")),
        ("ru", ("Талон на приём к врачу", "Пациент")),
    ],
)
def test_new_patient_books_gets_talon_and_calendar_cancels_and_rebooks(client, doctor, language, words):
    client.get(f"/lang/{language}")
    patient = make_patient(1, language=language)
    sign_in(client, patient)

    page = client.get("/appointments/choose")
    assert page.status_code == 200
    assert ("Учаскелік терапевт" if language == "kk" else "Участковый терапевт") in page_text(page)
    doctors = client.get("/appointments/choose?speciality=therapist", headers=HX)
    assert doctor.full_name in page_text(doctors)

    slots = client.get(choose_url(doctor))
    assert "09:15" in page_text(slots)
    confirm = client.get(choose_url(doctor, slot=f"{TUESDAY.isoformat()}T09:15"), headers=HX)
    # Post back exactly what the confirm form holds, as the browser does.
    form_html = confirm.get_data(as_text=True).split('<form method="post"')[1].split("</form>")[0]
    fields = re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form_html)
    assert [name for name, _ in fields] == ["csrf_token", "doctor", "slot"]
    booked = client.post("/appointments/book", data=dict(fields))
    assert booked.status_code == 303
    number = booked.headers["Location"].rsplit("/", 1)[1]
    assert number.startswith("AP-2026-")
    page = page_text(client.get(f"/appointments/{number}"))
    assert number in page and "09:15" in page

    talon = client.get(f"/appointments/{number}/talon.pdf")
    assert talon.status_code == 200 and talon.headers["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(talon.data)).pages)
    assert number in text and "09:15" in text and "105" in text
    assert "Жұмабаева Асель Қайратқызы" in text
    if language == "kk":
        assert re.search("[әғқңөұүһі]", text), text
    assert words[0] in text and words[1] in text
    assert client.get(f"/appointments/{number}/talon.pdf").data == talon.data  # stored, not re-rendered
    assert db.session.query(Document).count() == 1
    verify_path = "/verify/" + db.session.query(Document).one().verification_code
    assert verify_path in text.replace("\n", "")  # the QR's address is printed under it too
    assert client.get(verify_path).status_code == 200

    ics = client.get(f"/appointments/{number}/calendar.ics")
    assert ics.status_code == 200 and ics.headers["Content-Type"].startswith("text/calendar")
    body = ics.get_data(as_text=True)
    assert "DTSTART:20261124T041500Z" in body and f"UID:{number}@emhana" in body

    sms = db.session.query(SmsMessage).filter_by(phone=patient.phone, purpose="appointment:booked").one()
    assert sms.language == language and number in sms.text

    cancelled = client.post(f"/appointments/{number}/cancel")
    assert cancelled.status_code == 303
    assert db.session.query(Appointment).one().status == "cancelled"
    assert db.session.get(Document, 1).revoked_at is not None  # the QR no longer vouches for a visit

    again = client.post("/appointments/book", data={"doctor": doctor.id, "slot": "2026-11-24T09:15"})
    assert again.status_code == 303
    assert db.session.query(Appointment).filter_by(status="booked").count() == 1


def test_wrong_codes_are_limited_and_keep_the_iin(client, clinic):
    patient = make_patient(1)
    client.post("/appointments/code", data={"iin": patient.iin})
    response = client.post("/appointments/code/check", data={"code": "000000"})
    assert response.status_code == 200
    text = page_text(response)
    assert "SMS-тегі код" in text and CODE_SENT["kk"] in text  # still on the code step
    assert db.session.query(Appointment).count() == 0
    client.get("/lang/ru")
    response = client.post("/appointments/code/check", data={"code": "12"})
    assert "Введите 6-значный код из SMS." in page_text(response)
    for _ in range(5):
        response = client.post("/appointments/code/check", data={"code": "000000"})
    assert "/appointments/choose" not in response.headers.get("Location", "")


def test_invalid_iin_is_explained_in_both_languages_and_kept(client, clinic):
    kk = client.post("/appointments/code", data={"iin": "12345"})
    assert kk.status_code == 200 and 'value="12345"' in kk.get_data(as_text=True)
    client.get("/lang/ru")
    ru = client.post("/appointments/code", data={"iin": "12345"})
    assert page_text(kk) != page_text(ru)
    assert "12" in page_text(ru)


def test_not_attached_patient_is_told_how_to_attach(client, clinic, doctor):
    patient = make_patient(3, attached_to="EMH-0012")
    sign_in(client, patient)
    response = client.get("/appointments/choose")
    assert response.status_code == 200
    assert "/services/attachment" in response.get_data(as_text=True)
    assert db.session.query(Appointment).count() == 0


def _attach(patient, clinic_code):
    """The registry moves the person's attachment (as another clinic's attachment would)."""
    from sqlalchemy import select

    from app.models import RegistryAttachment, RegistryPerson

    attachment = db.session.scalars(
        select(RegistryAttachment).join(RegistryPerson).where(RegistryPerson.iin == patient.iin)
    ).one()
    attachment.clinic_code = clinic_code
    db.session.commit()


def _is_not_attached_page(response) -> bool:
    return response.status_code == 200 and "/services/attachment" in response.get_data(as_text=True)


def test_a_patient_detached_meanwhile_may_see_the_chooser_for_minutes_but_never_books(
    client, clinic, doctor, frozen
):
    """The chooser keeps the registry's "attached" for five minutes (issue 22, item 6); the booking asks the
    registry afresh, refuses, and from then on the chooser asks again."""
    patient = make_patient(1)
    sign_in(client, patient)
    assert not _is_not_attached_page(client.get("/appointments/choose"))
    _attach(patient, "EMH-0012")
    frozen(2026, 11, 23, 7, 34)
    assert not _is_not_attached_page(client.get(choose_url(doctor)))  # the kept answer
    booked = client.post(
        "/appointments/book", data={"doctor": doctor.id, "slot": f"{TUESDAY.isoformat()}T09:15"}
    )
    assert _is_not_attached_page(booked)
    assert db.session.query(Appointment).filter(Appointment.status == "booked").count() == 0
    assert _is_not_attached_page(client.get("/appointments/choose"))


def test_the_chooser_asks_the_registry_again_after_five_minutes(client, clinic, doctor, frozen):
    patient = make_patient(1)
    sign_in(client, patient)
    assert not _is_not_attached_page(client.get("/appointments/choose"))
    _attach(patient, "EMH-0012")
    frozen(2026, 11, 23, 7, 35, 1)
    assert _is_not_attached_page(client.get("/appointments/choose"))


def test_a_patient_attached_meanwhile_is_let_in_at_once(client, clinic, doctor):
    """A "not attached" is never kept: attached a moment later, the chooser opens."""
    patient = make_patient(3, attached_to="EMH-0012")
    sign_in(client, patient)
    assert _is_not_attached_page(client.get("/appointments/choose"))
    from tests.factories import CLINIC_CODE

    _attach(patient, CLINIC_CODE)
    assert not _is_not_attached_page(client.get("/appointments/choose"))
    booked = client.post(
        "/appointments/book", data={"doctor": doctor.id, "slot": f"{TUESDAY.isoformat()}T09:15"}
    )
    assert booked.status_code == 303


def test_slot_taken_meanwhile_keeps_the_choices(client, doctor):
    patient, rival = make_patient(1), make_patient(2)
    from app.core.actors import Actor
    from app.services import appointments
    from tests.appointments.factories import at

    sign_in(client, patient)
    appointments.book_appointment(rival, doctor, at(TUESDAY, 9, 15), actor=Actor.patient(), channel="web")
    db.session.commit()
    response = client.post(
        "/appointments/book", data={"doctor": doctor.id, "slot": "2026-11-24T09:15"}, headers=HX
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="chooser"')
    assert "Бұл уақытты дәл қазір басқа біреу алып қойды." in page_text(response)
    assert "09:30" in page_text(response)  # the same day's free times are shown again
    assert 'aria-current="true"' in html


def test_doctor_on_leave_day_is_explained(client, doctor):
    from app.core.actors import Actor
    from app.services import schedules

    schedules.add_exception(doctor, day=TUESDAY, kind="sick_day", actor=Actor.system())
    db.session.commit()
    patient = make_patient(1)
    sign_in(client, patient)
    client.get("/lang/ru")
    response = client.get(choose_url(doctor))
    assert "не ведёт приём 24 ноября (на больничном)" in page_text(response)


def test_chooser_is_a_page_or_a_fragment(client, doctor):
    sign_in(client, make_patient(1))
    page = client.get(choose_url(doctor))
    fragment = client.get(choose_url(doctor), headers=HX)
    assert (
        page.headers["Vary"] == fragment.headers["Vary"] == "HX-Request"
        or "HX-Request" in fragment.headers["Vary"]
    )
    assert "<html" in page.get_data(as_text=True)
    assert fragment.get_data(as_text=True).lstrip().startswith('<div id="chooser"')


def test_identify_is_a_page_or_a_fragment(client, clinic):
    page = client.post("/appointments/code", data={"iin": "1"})
    fragment = client.post("/appointments/code", data={"iin": "1"}, headers=HX)
    assert "<html" in page.get_data(as_text=True)
    assert fragment.get_data(as_text=True).lstrip().startswith('<div id="identify"')


def test_someone_elses_booking_needs_their_code(client, doctor):
    from app.core.actors import Actor
    from app.services import appointments
    from tests.appointments.factories import at

    owner = make_patient(1)
    booking = appointments.book_appointment(
        owner, doctor, at(TUESDAY, 9, 0), actor=Actor.patient(), channel="web"
    )
    db.session.commit()
    sign_in(client, make_patient(2))
    response = client.get(f"/appointments/{booking.number}")
    assert booking.number in page_text(response) and "Жұмабаева" not in page_text(response)
    assert client.post(f"/appointments/{booking.number}/cancel").status_code == 200
    assert booking.status == "booked"
    assert (
        client.get(f"/appointments/{booking.number}/talon.pdf").headers["Content-Type"] != "application/pdf"
    )
    # The owner opens it with the number and a code.
    client.post("/appointments/sign-out")
    client.post("/appointments/code", data={"number": booking.number})
    opened = client.post("/appointments/code/check", data={"code": last_code(owner.phone)})
    assert opened.headers["Location"].endswith(f"/appointments/{booking.number}")
    assert db.session.query(RequestEvent).filter_by(step="booked").count() == 1


def test_registry_down_holds_the_time_and_says_so(client, doctor, monkeypatch):
    from app.registries import RegistryUnavailable, get_registry

    patient = make_patient(1)
    sign_in(client, patient)

    def unavailable(iin):
        raise RegistryUnavailable("timeout")

    monkeypatch.setattr(get_registry(), "attachment_of", unavailable)
    client.get("/lang/ru")
    page = client.get("/appointments/choose")
    assert "Регистр прикреплённого населения сейчас не отвечает" in page_text(page)
    booked = client.post("/appointments/book", data={"doctor": doctor.id, "slot": "2026-11-24T09:15"})
    assert booked.status_code == 303
    shown = page_text(client.get(booked.headers["Location"]))
    assert "будет подтверждена по SMS" in shown
    booking = db.session.query(Appointment).one()
    assert booking.status == "pending" and booking.request.status == "awaiting_registry"


def test_the_kiosk_prints_the_talon_and_offers_no_download(client, doctor, login):
    # A download at the lobby kiosk would leave the patient's talon on the kiosk's disk.
    login("admin")
    token = re.search(
        r'<code class="activation-code">([^<]+)</code>',
        client.post("/admin/kiosks", data={"name": "Lobby"}).get_data(as_text=True),
    ).group(1)
    client.post("/staff/logout")
    client.post("/kiosk/activate", data={"token": token})
    patient = make_patient(1)
    sign_in(client, patient)
    booked = client.post("/appointments/book", data={"doctor": doctor.id, "slot": "2026-11-24T09:15"})
    number = booked.headers["Location"].rsplit("/", 1)[1]

    html = client.get(f"/appointments/{number}").get_data(as_text=True)
    # The button prints the talon document itself (issue 14), shown inline: nothing is downloaded.
    assert f'data-print-pdf="/appointments/{number}/talon.pdf"' in html and "Талонды басып шығару" in html
    assert f'href="/appointments/{number}/talon.pdf"' not in html
    assert f"/appointments/{number}/calendar.ics" not in html
    talon = client.get(f"/appointments/{number}/talon.pdf")
    assert talon.headers["Content-Disposition"].startswith("inline")
