"""The urgent-care pages: the public how-to-call (103 first, nothing to fill in), the nurse-registrar's call
form (bad input keeps what was typed; red flags say call 103 and record the hand-over), the live journal (page
and fragment, late calls highlighted), the team's outcome, the result, the route list PDF, the compliance."""

import io
import re

import pytest
from pypdf import PdfReader

from app.core.actors import Actor
from app.core.clock import local_now
from app.extensions import db
from app.services import urgent_care
from app.signing import check_pdf
from tests.conftest import page_text
from tests.urgent_care.factories import make_team, register

CALL = {
    "caller_kind": "self",
    "caller_phone": "+7 701 555 44 33",
    "patient_name": "Сейтқали Бауыржан",
    "patient_age": "45",
    "patient_sex": "M",
    "address": "Алматы қ., Абай даңғылы, 12, 5",
    "entrance": "2",
    "floor": "4",
    "complaint": "Температура 38.5, бас ауруы",
    "urgency_category": "4",
}


@pytest.fixture
def team(app, make_staff):
    return make_team(make_staff)


def test_the_public_passport_shows_103_first_and_no_online_form(client):
    client.get("/lang/ru")
    page = page_text(client.get("/services/urgent-care"))
    assert page.index("103") < page.index("Стандарт")
    assert "Неотложная медицинская помощь (отделение ПМСП)" in page
    assert "Подать онлайн" not in page
    own = client.get("/urgent-care/")
    assert own.status_code == 200 and "103" in page_text(own)


def test_the_nurse_registers_a_call_and_it_shows_in_the_journal(client, login, frozen):
    frozen(2026, 11, 27, 19, 0)
    login("urgent_nurse")
    response = client.post("/staff/urgent-care/new", data=CALL)
    assert response.status_code == 303
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    text = page_text(page)
    assert "Сейтқали Бауыржан" in text and "28.11.2026 02:00" in text
    assert "2-кіреберіс, 4-қабат" in text
    journal = client.get("/staff/urgent-care/")
    assert "Сейтқали Бауыржан" in page_text(journal)
    fragment = client.get("/staff/urgent-care/", headers={"HX-Request": "true"})
    html = fragment.get_data(as_text=True)
    assert 'id="urgent-journal"' in html and "<html" not in html and 'hx-trigger="every 20s"' in html


def test_a_call_without_an_address_keeps_what_was_typed(client, login):
    login("urgent_nurse")
    response = client.post("/staff/urgent-care/new", data={**CALL, "address": ""})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Сейтқали Бауыржан" in html and "Температура 38.5" in html
    assert urgent_care.journal(local_now().date()) == []


def test_red_flags_say_call_103_then_record_the_handover(client, login):
    login("urgent_nurse")
    client.get("/lang/ru")
    first = client.post("/staff/urgent-care/new", data={**CALL, "complaint": "Боль в груди, задыхается"})
    assert first.status_code == 422
    text = page_text(first)
    assert "Позвоните 103" in text or "103" in text
    assert "Боль в груди" in first.get_data(as_text=True)
    second = client.post(
        "/staff/urgent-care/new",
        data={
            **CALL,
            "complaint": "Боль в груди, задыхается",
            "handover_note": "Диспетчер 103 Иванова, 10:01",
        },
    )
    assert second.status_code == 303
    call = urgent_care.find_by_number(second.headers["Location"].rsplit("/", 1)[1])
    assert call.status == "handed_to_103" and "Иванова" in call.handover_note


def test_the_journal_highlights_late_calls(client, login, frozen, make_staff):
    frozen(2026, 11, 25, 8, 0)
    register(make_staff(username="nurse", roles=("urgent_nurse",)))
    db.session.commit()
    frozen(2026, 11, 25, 14, 30)
    login("urgent_nurse")
    html = client.get("/staff/urgent-care/", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "home-row--due-soon" in html
    frozen(2026, 11, 25, 15, 5)
    login("urgent_nurse", username="nurse2")
    html = client.get("/staff/urgent-care/", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "home-row--overdue" in html


def test_team_outcome_then_result_and_the_route_pdf(client, login, frozen, team):
    frozen(2026, 11, 25, 9, 0)
    nurse = login("urgent_nurse")
    call = register(nurse)
    db.session.commit()
    response = client.post(f"/staff/urgent-care/{call.number}/team", data={"team": str(team.id)})
    assert response.status_code == 303
    frozen(2026, 11, 25, 10, 0)
    login("urgent_nurse", username="nurse2")
    bad = client.post(
        f"/staff/urgent-care/{call.number}/outcome",
        data={
            "arrived_at": "2026-11-25T09:40",
            "examined_at": "2026-11-25T09:30",
            "result": "treated_at_home",
            "diagnosis": "J06.9",
        },
    )
    assert bad.status_code == 422 and "J06.9" in bad.get_data(as_text=True)
    assert call.status == "passed"
    good = client.post(
        f"/staff/urgent-care/{call.number}/outcome",
        data={
            "arrived_at": "2026-11-25T09:40",
            "examined_at": "2026-11-25T09:55",
            "result": "treated_at_home",
            "diagnosis": "j069",
        },
    )
    assert good.status_code == 303
    db.session.refresh(call)
    assert call.status == "examined" and call.diagnosis_code == "J06.9"
    assert client.post(f"/staff/urgent-care/{call.number}/result").status_code == 303
    db.session.refresh(call)
    assert call.status == "done" and call.request.status == "completed"
    client.get("/lang/ru")
    pdf = client.get(f"/staff/urgent-care/route.pdf?team={team.id}&day=2026-11-25")
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    joined = text.replace("\n", " ")
    assert (
        call.number in text.replace("\n", "") and "Сейтқали Бауыржан" in joined and team.full_name in joined
    )
    assert "Маршрутный лист бригады неотложной помощи" in joined
    # An issued document: numbered, signed with the clinic's key; printed again unchanged, the same one.
    assert "UCR-2026-" in joined and check_pdf(pdf.data).valid
    assert client.get(f"/staff/urgent-care/route.pdf?team={team.id}&day=2026-11-25").data == pdf.data
    client.get("/lang/kk")
    kk = client.get(f"/staff/urgent-care/route.pdf?team={team.id}&day=2026-11-25")
    kk_text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(kk.data)).pages).replace(
        "\n", " "
    )
    assert "Шұғыл көмек бригадасының маршрут парағы" in kk_text and "Сейтқали Бауыржан" in kk_text
    assert check_pdf(kk.data).valid and kk.data != pdf.data
    compliance = page_text(client.get("/staff/urgent-care/compliance?start=2026-11-25&end=2026-11-25"))
    assert "100 %" in compliance


def test_a_route_list_waiting_for_its_signature_is_not_handed_out(app, client, login, team, tmp_path):
    nurse = login("urgent_nurse")
    urgent_care.pass_to_team(register(nurse), team, actor=Actor.of_staff(nurse))
    db.session.commit()
    app.config["SIGNING_KEY_FILE"] = str(tmp_path / "none.p12")  # the signer is down
    waiting = client.get(f"/staff/urgent-care/route.pdf?team={team.id}")
    assert waiting.status_code == 202 and b"%PDF" not in waiting.data


def test_each_call_on_a_route_has_inputs_of_its_own(client, login, team):
    """Two calls on a team's route: two outcome forms whose ids never repeat, so each label (the diagnosis
    too, with its own list of ICD-10 options) belongs to its own call's input; the POST's names are kept."""
    nurse = login("urgent_nurse")
    for phone in ("+77015554433", "+77015554434"):
        urgent_care.pass_to_team(register(nurse, caller_phone=phone), team, actor=Actor.of_staff(nurse))
    db.session.commit()
    html = client.get(f"/staff/urgent-care/route?team={team.id}").get_data(as_text=True)
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert html.count('class="urgent-outcome"') == 2
    assert len(ids) == len(set(ids)), sorted(ident for ident in ids if ids.count(ident) > 1)
    for call in urgent_care.route_list(team, local_now().date()):
        assert (
            f'for="call-{call.id}-diagnosis"' in html
            and f'list="call-{call.id}-diagnosis-icd10-options"' in html
        )
    assert html.count('name="diagnosis"') == 2


def test_a_team_only_writes_the_outcome_of_its_own_calls(client, login, make_staff, team):
    nurse = make_staff(username="nurse", roles=("urgent_nurse",))
    call = register(nurse)
    urgent_care.pass_to_team(call, team, actor=Actor.of_staff(nurse))
    db.session.commit()
    login("urgent_doctor", username="other_team")
    response = client.post(
        f"/staff/urgent-care/{call.number}/outcome",
        data={
            "arrived_at": "2026-11-25T09:40",
            "examined_at": "2026-11-25T09:55",
            "result": "treated_at_home",
        },
    )
    assert response.status_code == 403


def test_an_unknown_icd10_code_is_refused_and_kept(client, login, frozen, team):
    frozen(2026, 11, 25, 9, 0)
    nurse = login("urgent_nurse")
    call = register(nurse)
    urgent_care.pass_to_team(call, team, actor=Actor.of_staff(nurse))
    db.session.commit()
    client.get("/lang/ru")
    response = client.post(
        f"/staff/urgent-care/{call.number}/outcome",
        data={
            "arrived_at": "2026-11-25T08:59",
            "examined_at": "2026-11-25T09:00",
            "result": "treated_at_home",
            "diagnosis": "Q99.99",
        },
    )
    assert response.status_code == 422 and "Q99.99" in response.get_data(as_text=True)
    assert call.status == "passed" and call.diagnosis_code == ""
