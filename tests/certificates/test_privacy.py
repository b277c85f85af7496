"""Who sees a request and its answer: only its applicant (after consent) and its subject, signed in."""

from app.services import certificates
from tests.certificates.factories import (
    ask_about,
    last_code_to,
    only_request,
    registry_person,
    request_for,
    sign_in,
    subject_person,
)
from tests.conftest import page_text


def test_nobody_else_sees_a_request_or_its_form(app, client):
    me = registry_person(registers=("tb",))
    sign_in(client, me)
    request_for(client, "tb")
    request = only_request()

    stranger_browser = app.test_client()
    anonymous = stranger_browser.get(f"/certificates/requests/{request.number}")
    assert anonymous.status_code == 200
    assert "тұрады" not in page_text(anonymous) and 'name="iin"' in anonymous.get_data(as_text=True)
    assert stranger_browser.get(f"/certificates/requests/{request.number}/form.pdf").status_code == 404

    stranger = subject_person()
    stranger_browser.post("/certificates/tb/code", data={"iin": stranger.iin})
    stranger_browser.post(
        "/certificates/tb/sign-in", data={"iin": stranger.iin, "code": last_code_to(stranger.phone)}
    )
    assert stranger_browser.get(f"/certificates/requests/{request.number}").status_code == 404
    assert stranger_browser.get(f"/certificates/requests/{request.number}/form.pdf").status_code == 404


def test_the_applicant_sees_no_status_before_consent(app, client):
    applicant = registry_person()
    subject = subject_person(registers=("psychiatry",))
    request = ask_about(client, applicant, subject)
    assert not certificates.may_see_result(request, applicant.iin)
    assert client.get(f"/certificates/requests/{request.number}/form.pdf").status_code == 404


def test_signing_in_again_after_the_session_idles_out(app, client, frozen):
    me = registry_person()
    frozen(2026, 3, 10, 10, 0)
    sign_in(client, me)
    frozen(2026, 3, 10, 10, 30)
    response = request_for(client, "tb")
    assert response.status_code == 200 and 'name="iin"' in response.get_data(as_text=True)
