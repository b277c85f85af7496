"""HIV testing: looking tests up by their personal code or sample number, the lists, the journal, the figures.

Every staff look at a test is audited against its code (object type "hiv_test", object id the code); the entry
holds no patient id and no personal data. A code typed at the hand-over that matches no test counts against
the client's limit (app.channels.client_key()), and the answer never says whether a near code exists.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select

from app.core.actors import Actor
from app.core.clock import ALMATY, now
from app.documents import html_to_pdf, render_html
from app.extensions import db
from app.models import Document, HivSettings, HivTest, ServiceRequest
from app.services import rate_limit
from app.services.audit import audit
from app.services.calendar import get_calendar
from app.services.clinic import get_clinic
from app.services.hiv_testing import codes
from app.services.hiv_testing.rules import (
    DEFAULT_NEGATIVE_TERM_DAYS,
    DEFAULT_POSITIVE_TERM_DAYS,
    LOOKUP_FAILURES_PER_WINDOW,
    LOOKUP_WINDOW_MINUTES,
    RESULTS,
    HivError,
)
from app.services.hiv_testing.texts import (
    NO_SUCH_CODE,
    NO_SUCH_SAMPLE,
    NOT_NEGATIVE,
    TOO_MANY_LOOKUPS,
)

LIST_LIMIT = 200
MAX_JOURNAL_DAYS = 92


def get_settings() -> HivSettings:
    """The clinic's settings, or the regulation's defaults when an admin has not saved any yet."""
    settings = db.session.scalars(select(HivSettings).order_by(HivSettings.id)).first()
    if settings is None:
        settings = HivSettings(
            positive_term_days=DEFAULT_POSITIVE_TERM_DAYS,
            negative_term_days=DEFAULT_NEGATIVE_TERM_DAYS,
            price=0,
            room="",
            hours_kk="",
            hours_ru="",
        )
    return settings


def _by_code(code: str) -> HivTest | None:
    return db.session.scalars(select(HivTest).where(HivTest.code == code)).first()


def _by_sample(sample: str) -> HivTest | None:
    return db.session.scalars(select(HivTest).where(HivTest.sample_number == sample)).first()


def _lookup_limit(client: str) -> rate_limit.Limit:
    return rate_limit.origin_limit(
        "hiv_code_lookup", client, LOOKUP_FAILURES_PER_WINDOW, timedelta(minutes=LOOKUP_WINDOW_MINUTES)
    )


def open_test(typed_code: str, *, actor: Actor, client: str) -> HivTest:
    """The test with this personal code, for a staff member (audited against the code).

    A malformed code (the check character catches a typo) and an unknown one get the same HivError, and both
    count against `client`'s limit; once it is used up, every look-up is refused until the window passes."""
    limit = _lookup_limit(client)
    try:
        rate_limit.check(limit)
    except rate_limit.RateLimited as error:
        raise HivError(TOO_MANY_LOOKUPS % {"minutes": error.retry_after_minutes}) from None
    code = codes.normalise(typed_code)
    test = _by_code(code) if codes.is_well_formed(code) else None
    if test is None:
        rate_limit.count(limit)
        raise HivError(NO_SUCH_CODE)
    audit(actor, "view", "hiv_test", object_id=test.code)
    return test


def view_test(test: HivTest, *, actor: Actor) -> HivTest:
    """A test opened from a list (audited against its code)."""
    audit(actor, "view", "hiv_test", object_id=test.code)
    return test


def open_sample(typed_sample: str, *, actor: Actor, client: str) -> HivTest:
    """The test of this sample, for the laboratory (audited against the code, never shown to the lab)."""
    limit = _lookup_limit(client)
    try:
        rate_limit.check(limit)
    except rate_limit.RateLimited as error:
        raise HivError(TOO_MANY_LOOKUPS % {"minutes": error.retry_after_minutes}) from None
    test = _by_sample(codes.normalise_sample(typed_sample))
    if test is None:
        rate_limit.count(limit)
        raise HivError(NO_SUCH_SAMPLE)
    audit(actor, "view", "hiv_test", object_id=test.code, detail="by sample")
    return test


def list_tests(search: str, *, actor: Actor) -> list[HivTest]:
    """The newest tests, or the one whose code or sample number is `search` exactly (never a near match)."""
    query = select(HivTest).order_by(HivTest.registered_at.desc(), HivTest.id.desc()).limit(LIST_LIMIT)
    wanted = codes.normalise(search)
    if wanted:
        query = query.where((HivTest.code == wanted) | (HivTest.sample_number == wanted))
    tests = list(db.session.scalars(query))
    audit(actor, "search" if wanted else "view", "hiv_test_list", detail=f"{len(tests)} listed")
    return tests


def lab_queue(*, actor: Actor) -> list[HivTest]:
    """Samples drawn and waiting for a result, oldest first; the laboratory works by sample number only."""
    tests = list(
        db.session.scalars(
            select(HivTest)
            .where(HivTest.drawn_at.is_not(None), HivTest.result.is_(None))
            .order_by(HivTest.drawn_at)
            .limit(LIST_LIMIT)
        )
    )
    audit(actor, "view", "hiv_lab_queue", detail=f"{len(tests)} samples")
    return tests


def _local_start(day: date) -> datetime:
    return datetime.combine(day, time.min, ALMATY).astimezone(UTC)


def journal(start: date, end: date, *, actor: Actor, printed: bool = False) -> list[HivTest]:
    """The registration journal: tests registered from `start` to `end` (local days, both included)."""
    tests = list(
        db.session.scalars(
            select(HivTest)
            .where(HivTest.registered_at >= _local_start(start))
            .where(HivTest.registered_at < _local_start(end + timedelta(days=1)))
            .order_by(HivTest.registered_at, HivTest.id)
        )
    )
    audit(
        actor,
        "print" if printed else "view",
        "hiv_journal",
        detail=f"{start.isoformat()}..{end.isoformat()}: {len(tests)} tests",
    )
    return tests


@dataclass(frozen=True)
class Figures:
    """Counts for monitoring: never a code, never a person."""

    registered: int
    anonymous: int
    drawn: int
    results: dict[str, int]
    results_in_time: int  # laboratory results entered within one working day of the draw
    handed_over: int


def lab_deadline(drawn_at: datetime) -> datetime:
    """The laboratory's term: one working day from the draw (001 annex 4 item 5)."""
    return get_calendar().add_working_days(drawn_at, 1)


def figures(start: date, end: date) -> Figures:
    """Tests registered in the period (local days, both included): counts only, never a code."""
    in_period = (
        HivTest.registered_at >= _local_start(start),
        HivTest.registered_at < _local_start(end + timedelta(days=1)),
    )

    def count(*conditions) -> int:
        return db.session.scalar(select(func.count(HivTest.id)).where(*in_period, *conditions)) or 0

    timed = db.session.execute(
        select(HivTest.drawn_at, HivTest.result_at).where(*in_period, HivTest.result_at.is_not(None))
    ).all()
    return Figures(
        registered=count(),
        anonymous=count(HivTest.regime == "anonymous"),
        drawn=count(HivTest.drawn_at.is_not(None)),
        results={result: count(HivTest.result == result) for result in RESULTS},
        results_in_time=sum(1 for drawn, result_at in timed if drawn and result_at <= lab_deadline(drawn)),
        handed_over=count(HivTest.handed_over_at.is_not(None)),
    )


def certificate_facts(document: Document) -> dict | None:
    """What the public /verify page may say of an HIV certificate: the code of an anonymous one, or None
    for a document that is not an HIV certificate."""
    test = db.session.scalars(select(HivTest).where(HivTest.certificate_id == document.id)).first()
    if test is None:
        return None
    return {"anonymous": test.regime == "anonymous", "code": codes.display(test.code)}


def test_of_request(request: ServiceRequest) -> HivTest | None:
    return request.hiv_test


def print_journal(start: date, end: date, *, actor: Actor, printed_by: str) -> bytes:
    """The registration journal as a PDF (Kazakh and Russian headings), keyed by the personal code."""
    tests = journal(start, end, actor=actor, printed=True)
    html = render_html(
        "documents/hiv_journal.html",
        {
            "tests": tests,
            "start": start,
            "end": end,
            "clinic": get_clinic(),
            "printed_at": now(),
            "printed_by": printed_by,
            "display_code": codes.display,
        },
        language="kk",
    )
    return html_to_pdf(html)


def certificate_pdf(test: HivTest, *, actor: Actor) -> bytes:
    """The issued certificate as stored (a reprint serves the same PDF)."""
    if test.certificate is None:
        raise HivError(NOT_NEGATIVE)
    audit(actor, "print", "hiv_test", object_id=test.code, detail="certificate reprinted")
    return test.certificate.pdf
