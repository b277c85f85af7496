"""Real-browser tests: Debian's chromium driven by Playwright against the app served on loopback.

The app runs in a thread with its own SQLite database seeded with the demo clinic, CSRF protection on,
exactly as `make run` serves it. Screenshots of each step land in test-artifacts/browser/<test>/.
"""

import re
import shutil
import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from app.core.clock import frozen_clock
from tests.conftest import DEFAULT_MOMENT

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Flags for a closed network: without them Chromium keeps trying to reach Google's services.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.browser


def pytest_collection_modifyitems(items):
    # `pytestmark` in a conftest marks nothing: mark every test of this folder, so `-m "not browser"` works.
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    from app import create_app
    from app.demo import seed
    from app.extensions import db
    from app.models import Base

    database = tmp_path_factory.mktemp("browser-db") / "browser.db"
    app = create_app(
        {
            "SECRET_KEY": "browser-tests",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
            # the demo makes its signing key here, never in the checkout's instance folder (issue 21)
            "SIGNING_KEY_FILE": str(database.parent / "clinic.p12"),
        }
    )
    with app.app_context():
        Base.metadata.create_all(db.engine)
        # Seeded at the moment the tests run at (the tests' stopped clock): the demo's bookings and calls
        # are placed relative to "now", so seeding on the wall clock made them depend on the hour of the run.
        with frozen_clock(DEFAULT_MOMENT):
            seed()
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not AXE_SCRIPT.exists():
        pytest.fail("axe-core is missing: run `make test` (it runs `npm ci`)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = _watched_page(context, request)
    yield page
    context.close()
    _assert_no_policy_violation(page)


def _watched_page(context, request):
    """A page with its artefact folder, whose console is watched for Content-Security-Policy violations."""
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.artifacts = ARTIFACTS / re.sub(r"[^\w.-]+", "_", request.node.name)
    shutil.rmtree(page.artifacts, ignore_errors=True)
    page.artifacts.mkdir(parents=True, exist_ok=True)
    page.policy_violations = []

    def watch(message) -> None:
        if "Content Security Policy" in message.text:
            page.policy_violations.append(f"{page.url}: {message.text}")

    page.on("console", watch)
    return page


def _assert_no_policy_violation(page) -> None:
    """The app's pages keep to their own strict CSP (app/security.py): nothing inline, nothing foreign."""
    assert page.policy_violations == [], page.policy_violations


def snap(page, step: str) -> None:
    """Save a full-page screenshot of this step as a test artefact."""
    page.screenshot(path=str(page.artifacts / f"{step}.png"), full_page=True)


def assert_accessible(page) -> None:
    """axe-core on the current page: no serious or critical WCAG 2 A/AA violation."""
    # Evaluated through the DevTools protocol, which the page's Content-Security-Policy does not govern: a
    # <script> tag with axe inline would be refused, as it should be for anything else inline.
    page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        ["wcag2a", "wcag2aa", "wcag21aa"],
    )
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not serious, f"accessibility violations on {page.url}:\n" + "\n".join(serious)


def has_no_horizontal_scroll(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")


# ---- Lobby kiosk ----------------------------------------------------------------------------------
# A second server, with a short inactivity timeout, so a test can watch an idle kiosk forget its visitor.
# Its app is exposed too: tests register the device and read what the kiosk recorded straight from the DB.
KIOSK_IDLE_SECONDS = 5


class KioskServer:
    def __init__(self, url: str, app, token: str) -> None:
        self.url, self.app, self.token = url, app, token


@pytest.fixture(scope="session")
def kiosk_server(tmp_path_factory):
    from app import create_app
    from app.demo import seed
    from app.extensions import db
    from app.models import Base
    from app.services.kiosk import register_device

    database = tmp_path_factory.mktemp("kiosk-db") / "kiosk.db"
    app = create_app(
        {
            "SECRET_KEY": "kiosk-browser-tests",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
            "KIOSK_IDLE_SECONDS": KIOSK_IDLE_SECONDS,
            "SIGNING_KEY_FILE": str(database.parent / "clinic.p12"),
        }
    )
    with app.app_context():
        Base.metadata.create_all(db.engine)
        # Seeded at the moment the tests run at (the tests' stopped clock): the demo's bookings and calls
        # are placed relative to "now", so seeding on the wall clock made them depend on the hour of the run.
        with frozen_clock(DEFAULT_MOMENT):
            seed()
        _device, token = register_device("Lobby, ground floor")
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield KioskServer(f"http://127.0.0.1:{server.server_port}", app, token)
    server.shutdown()


@pytest.fixture
def kiosk_page(browser, kiosk_server, request):
    """A 1080p touch screen whose browser carries the registered kiosk's device cookie."""
    from app.channels import KIOSK_COOKIE

    context = browser.new_context(viewport={"width": 1920, "height": 1080}, has_touch=True)
    context.add_cookies([{"name": KIOSK_COOKIE, "value": kiosk_server.token, "url": kiosk_server.url}])
    page = _watched_page(context, request)
    yield page
    context.close()
    _assert_no_policy_violation(page)


# ---- Printing at the kiosk --------------------------------------------------------------------------
MM_TO_PT = 72 / 25.4


def print_at_kiosk(page, button, *, paper_width_mm: float) -> bytes:
    """Tap a print button as the visitor does, check the page goes to the printer once, and return what the
    printer gets (Chromium's print rendering, as a PDF) after checking every page is `paper_width_mm` wide."""
    page.evaluate("() => { window.__prints = 0; window.print = () => { window.__prints += 1; }; }")
    button.tap()
    page.wait_for_function("() => window.__prints > 0")
    assert page.evaluate("() => window.__prints") == 1, "one tap must print once"
    page.emulate_media(media="print")
    for chrome in (".kiosk-restart", "#keypad", "#osk", ".site-header", "[data-print]"):
        expect(page.locator(chrome).first).to_be_hidden()
    printed = page.pdf(prefer_css_page_size=True)
    media_boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) [\d.]+\s*\]", printed)
    widths = {round(float(width)) for width in media_boxes}
    assert widths == {round(paper_width_mm * MM_TO_PT)}, f"want {paper_width_mm} mm paper, got {widths} pt"
    return printed
