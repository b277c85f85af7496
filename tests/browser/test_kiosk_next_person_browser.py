"""Two people on one kiosk in a row (issue 14): the kiosk ends the person's session whenever its tile menu is
shown, whatever the first person tapped last (the clinic logo, the browser's Back, Start over), so the next
person who taps "Book" is asked who they are and never sees the first person's name, IIN or visits."""

import pytest
from playwright.sync_api import expect

from app.demo import demo_patients
from tests.browser.conftest import snap
from tests.browser.test_services_browser import identify

# Patients no other browser test signs in with, one per way back to the tiles (codes have an IIN cool-down).
FIRST_PERSON = {"logo": 40, "back": 41, "start-over": 42}


def _back_to_tiles(page, kiosk_server, how: str) -> None:
    if how == "logo":
        page.locator(".brand").tap()
    elif how == "back":
        while page.url != kiosk_server.url + "/kiosk/":
            page.go_back()
    else:
        page.locator(".kiosk-restart").tap()
    page.wait_for_url(kiosk_server.url + "/kiosk/")
    expect(page.locator(".kiosk-tile").first).to_be_visible()


@pytest.mark.parametrize("how", list(FIRST_PERSON))
def test_the_next_person_never_sees_the_previous_one(kiosk_page, kiosk_server, how):
    page = kiosk_page
    first = demo_patients()[FIRST_PERSON[how]]
    page.goto(kiosk_server.url + "/kiosk/")
    page.locator(".kiosk-tile[href='/appointments/']").tap()
    page.wait_for_url(kiosk_server.url + "/appointments/")
    identify(page, kiosk_server, first["iin"], first["phone"], step="1")
    expect(page.locator("#chooser")).to_be_visible()
    snap(page, "2-first-person-signed-in")

    _back_to_tiles(page, kiosk_server, how)
    snap(page, "3-tiles-again")

    # The next person taps "Book": they are asked who they are, and nothing of the first one is on the page.
    page.locator(".kiosk-tile[href='/appointments/']").tap()
    expect(page.locator("input[name=iin]")).to_be_visible()
    expect(page.locator("#chooser")).to_have_count(0)
    content = page.content()
    assert first["iin"] not in content
    assert first["last_name"] not in content
    snap(page, "4-next-person-asked-who-they-are")
    # Nor can they reach the first person's pages by address.
    for path in ("/appointments/choose", "/my/"):
        page.goto(kiosk_server.url + path)
        content = page.content()
        assert first["iin"] not in content, path
        assert first["last_name"] not in content, path
