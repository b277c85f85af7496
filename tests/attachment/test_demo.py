"""The demo clinic's attachment applications."""

from app.demo.attachment import seed_attachment_demo
from app.services import attachment as attachment_service
from tests.attachment.factories import staff_client


# ---- the demo ----------------------------------------------------------------------------------------------
def test_the_demo_has_an_overdue_and_a_fresh_application_and_seeding_again_adds_none(
    app, demo_clinic, make_staff
):
    assert seed_attachment_demo() == 0
    states = sorted(
        attachment_service.deadline_state(item.request) for item in attachment_service.open_applications()
    )
    assert len(states) == 2 and "overdue" in states
    desk = staff_client(app, make_staff, "registrar")
    assert desk.get("/staff/attachment/").get_data(as_text=True).count("attachment-row--overdue") == 1
