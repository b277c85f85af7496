"""HIV testing: the four steps of 001 annex 4, each a request event and an audit entry against the code.

    test = register(Registration(...), actor=actor)         # step 1, counselling doctor: the personal code
    draw_blood(test, actor=actor)                           # step 2, nurse: sample number, talon dates
    enter_result(test, "negative", actor=actor)             # step 3, laboratory
    issue_certificate(test, actor=actor)                    # step 4, hand-over of a negative result
    record_post_test_counselling(test, actor=actor)         # step 4 of a positive screening result

The test is a service request of the kernel (number, events, deadline, monitoring) with no subject, no
applicant and no applicant name: the kernel never links it to a person. Logs name the request number only.
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from app.core.actors import Actor
from app.core.clock import ALMATY, now
from app.extensions import db
from app.models import Document, HivIdentity, HivSettings, HivTest, ServiceRequest
from app.registries import NotFound, RegistryUnavailable, get_registry
from app.services import documents, registry_pending
from app.services import requests as request_service
from app.services.audit import audit
from app.services.calendar import get_calendar
from app.services.clinic import get_clinic
from app.services.hiv_testing import codes
from app.services.hiv_testing.queries import get_settings
from app.services.hiv_testing.rules import (
    CERTIFICATE_KIND,
    CERTIFICATE_VALIDITY,
    REGIMES,
    SERVICE,
    TALON_KIND,
    HivError,
    is_paid,
    stage_of,
)
from app.services.hiv_testing.texts import (
    ALREADY_DRAWN,
    ALREADY_HANDED_OVER,
    IDENTITY_PENDING,
    IIN_REQUIRED,
    NO_IDENTITY_WHEN_ANONYMOUS,
    NOT_DRAWN,
    NOT_NEGATIVE,
    NOT_POSITIVE,
    PAYMENT_REQUIRED,
    RESULT_ALREADY_ENTERED,
    RESULT_NOT_READY,
    UNKNOWN_IIN,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Registration:
    regime: str
    payer: str
    reason: str
    pre_test_counselling: bool
    sex: str = ""
    birth_year: int | None = None
    language: str = "kk"
    iin: str = ""  # confidential only
    payment_amount: int | None = None
    payment_receipt: str = ""
    payment_date: date | None = None


def _audit(actor: Actor, action: str, test: HivTest, detail: str = "") -> None:
    audit(actor, action, "hiv_test", object_id=test.code, detail=detail)


def _unique_code() -> str:
    while True:
        code = codes.new_code()
        if db.session.scalar(select(HivTest.id).where(HivTest.code == code)) is None:
            return code


def _unique_sample() -> str:
    while True:
        sample = codes.new_sample_number()
        if db.session.scalar(select(HivTest.id).where(HivTest.sample_number == sample)) is None:
            return sample


def register(data: Registration, *, actor: Actor) -> HivTest:
    """Step 1: a new test under a fresh personal code. A confidential test asks the state database of
    individuals for the identity; when it cannot answer, the test is kept waiting for it (the steps go on)."""
    if data.regime not in REGIMES:
        raise ValueError(f"unknown regime {data.regime!r}")
    if data.regime == "anonymous" and data.iin:
        raise HivError(NO_IDENTITY_WHEN_ANONYMOUS)
    if data.regime == "confidential" and not data.iin:
        raise HivError(IIN_REQUIRED)
    paid = is_paid(data.payer)
    if paid and (data.payment_amount is None or not data.payment_receipt or data.payment_date is None):
        raise HivError(PAYMENT_REQUIRED)
    person, registry_down = None, False
    if data.regime == "confidential":
        try:
            person = get_registry().find_person(data.iin)
        except NotFound:
            raise HivError(UNKNOWN_IIN) from None
        except RegistryUnavailable as error:
            log.warning("hiv test registration: registry unavailable (%s)", error.reason)
            registry_down = True

    request = request_service.create_request(SERVICE, channel="desk", actor=actor, language=data.language)
    test = HivTest(
        request=request,
        code=_unique_code(),
        regime=data.regime,
        sex=data.sex,
        birth_year=data.birth_year,
        payer=data.payer,
        reason=data.reason,
        pre_test_counselling=data.pre_test_counselling,
        registered_at=request.created_at,
        payment_amount=data.payment_amount if paid else None,
        payment_receipt=data.payment_receipt if paid else "",
        payment_date=data.payment_date if paid else None,
    )
    if data.regime == "confidential":
        test.identity = HivIdentity(iin=data.iin)
        if person is not None:
            _fill_identity(test.identity, person)
    db.session.add(test)
    db.session.flush()
    request_service.record_step(request, "hiv_registered", actor=actor)
    if registry_down:
        registry_pending.wait_for_registry(request, actor=actor)
    _audit(actor, "create", test, detail=data.regime)
    log.info("hiv test %s registered (%s)", request.number, data.regime)
    return test


def _fill_identity(identity: HivIdentity, person) -> None:
    identity.full_name = person.full_name
    identity.birth_date = person.birth_date
    identity.registry_source = person.source


def resume_identity(request: ServiceRequest, actor: Actor) -> None:
    """Registry retry handler: the state database answers again, so the confidential identity is filled in
    and the test carries on where its steps are (RegistryUnavailable: it keeps waiting)."""
    test = request.hiv_test
    try:
        person = get_registry().find_person(test.identity.iin)
    except NotFound:
        person = None
    if person is not None:
        _fill_identity(test.identity, person)
    request_service.transition(
        request,
        "in_review" if test.drawn_at is not None else "submitted",
        actor=actor,
        step="registry_checked",
        note="" if person is not None else "not found",
    )


def _working_days_after(moment: datetime, days: int) -> datetime:
    return get_calendar().add_working_days(moment, days)


def draw_blood(test: HivTest, *, actor: Actor) -> HivTest:
    """Step 2: the sample number and the date the result will be given (by the negative-result term, the
    usual answer; a positive screening result moves it to the positive-result term). A redraw after an
    invalid sample takes a new sample number."""
    stage = stage_of(test)
    if stage == "handed_over":
        raise HivError(ALREADY_HANDED_OVER)
    if stage not in ("registered", "redraw"):
        raise HivError(ALREADY_DRAWN)
    settings = get_settings()
    moment = now()
    if stage == "redraw":
        test.redraws += 1
        test.result = None
        test.result_at = None
    test.sample_number = _unique_sample()
    test.drawn_at = moment
    due = _working_days_after(moment, settings.negative_term_days)
    test.result_due_on = due.astimezone(ALMATY).date()
    request = test.request
    request.deadline_at = due
    if request.status == "submitted":
        request_service.transition(request, "in_review", actor=actor, step="hiv_blood_drawn")
    else:
        request_service.record_step(request, "hiv_blood_drawn", actor=actor)
    _audit(actor, "update", test, detail="blood drawn")
    log.info("hiv test %s: blood drawn", request.number)
    return test


def enter_result(test: HivTest, result: str, *, actor: Actor) -> HivTest:
    """Step 3: the laboratory's result. Entered once; an invalid sample sends the person back for a redraw."""
    if test.drawn_at is None:
        raise HivError(NOT_DRAWN)
    if test.result is not None:
        raise HivError(RESULT_ALREADY_ENTERED)
    if result not in ("negative", "positive", "invalid"):
        raise ValueError(f"unknown result {result!r}")
    test.result = result
    test.result_at = now()
    request = test.request
    if result == "positive":
        settings = get_settings()
        due = _working_days_after(test.drawn_at, settings.positive_term_days)
        test.result_due_on = due.astimezone(ALMATY).date()
        request.deadline_at = due
    step = "hiv_redraw_needed" if result == "invalid" else "hiv_result_entered"
    request_service.record_step(request, step, actor=actor)
    _audit(actor, "update", test, detail="result entered")
    log.info("hiv test %s: laboratory result entered", request.number)
    return test


def _check_hand_over(test: HivTest) -> None:
    if test.handed_over_at is not None:
        raise HivError(ALREADY_HANDED_OVER)
    if test.result is None or test.result == "invalid":
        raise HivError(RESULT_NOT_READY)


def issue_certificate(test: HivTest, *, actor: Actor):
    """Step 4 for a negative result: the certificate, valid 3 months from issue, with its QR check."""
    _check_hand_over(test)
    if test.result != "negative":
        raise HivError(NOT_NEGATIVE)
    if test.regime == "confidential" and not test.identity.full_name:
        raise HivError(IDENTITY_PENDING)
    issued = now()
    request = test.request
    document = documents.issue_document(
        CERTIFICATE_KIND,
        "documents/hiv_certificate.html",
        {"test": test, "code": codes.display(test.code), "clinic": get_clinic()},
        subject=None,
        language=request.language,
        valid_until=issued + CERTIFICATE_VALIDITY,
    )
    test.certificate = document
    test.handed_over_at = issued
    request.result_document = document
    request_service.transition(request, "completed", actor=actor, step="hiv_certificate_issued")
    _audit(actor, "create", test, detail="certificate issued")
    log.info("hiv test %s: certificate %s issued", request.number, document.number)
    return document


def record_post_test_counselling(test: HivTest, *, actor: Actor) -> HivTest:
    """Step 4 for a positive screening result: told in person, post-test counselling, referral for
    confirmation to the regional AIDS centre. No certificate."""
    _check_hand_over(test)
    if test.result != "positive":
        raise HivError(NOT_POSITIVE)
    test.handed_over_at = now()
    test.post_test_counselling = True
    test.referred_for_confirmation = True
    request_service.transition(test.request, "completed", actor=actor, step="hiv_post_test_counselling")
    _audit(actor, "update", test, detail="post-test counselling, referred for confirmation")
    log.info("hiv test %s: post-test counselling recorded", test.request.number)
    return test


def save_settings(
    *,
    positive_term_days: int,
    negative_term_days: int,
    price: int,
    room: str,
    hours_kk: str,
    hours_ru: str,
    actor: Actor,
) -> HivSettings:
    settings = get_settings()
    settings.positive_term_days = positive_term_days
    settings.negative_term_days = negative_term_days
    settings.price = price
    settings.room = room
    settings.hours_kk = hours_kk
    settings.hours_ru = hours_ru
    db.session.add(settings)
    db.session.flush()
    audit(
        actor,
        "update",
        "hiv_settings",
        detail=f"terms {positive_term_days}/{negative_term_days} working days, price {price}",
    )
    return settings


def print_talon(test: HivTest, talon_format: str, *, actor: Actor) -> Document:
    """The talon of step 2 (A6, or 80 mm for the kiosk printer): the personal code, the date of the draw, the
    date the result will be given, and the room and hours to collect it. Kazakh and Russian on one slip. An
    issued document (numbered, signed with the clinic's key, checked by its QR code) with no subject: the code
    is all it names. Issued at its first print, served as issued while its content stays the same (a redraw
    changes it)."""
    if test.drawn_at is None:
        raise HivError(NOT_DRAWN)
    document = documents.issue_once(
        TALON_KIND,
        "documents/hiv_talon.html",
        {
            "test": test,
            "code": codes.display(test.code),
            "talon_format": talon_format,
            "settings": get_settings(),
            "clinic": get_clinic(),
        },
        scope=f"hiv-test-{test.id}",
        subject=None,
        language=test.request.language,
    )
    audit(actor, "print", "hiv_test", object_id=test.code, detail=f"talon {talon_format} {document.number}")
    return document
