"""One-time codes: 6 digits, hashed, 5 minutes, 5 attempts, single use, bound to a purpose, rate-limited.

The limits protect people, not lock them out (issue 13, item 2: «only sent codes count; per-IIN limits that a
stranger cannot spend for the owner (e.g. a short cool-down plus a daily cap, and the message never reveals
whether the IIN exists)»).
"""

from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from app import notify
from app.extensions import db
from app.models import OneTimeCode, RateLimitHit, SmsMessage
from app.services import otp, rate_limit
from tests.certificates.factories import last_code_to, last_message_to, messages_to, wrong_code

PHONE = "+77011234567"
IIN = "850412400123"


def issue(purpose="login", iin=IIN, phone=PHONE, ip="10.0.0.1", language="kk"):
    return otp.issue(purpose=purpose, iin=iin, phone=phone, language=language, ip=ip)


def test_a_code_is_six_digits_sent_by_sms_and_stored_only_as_a_hash(app):
    record = issue()
    code = last_code_to(PHONE)
    assert len(code) == 6 and code.isdigit()
    assert code not in record.code_hash and len(record.code_hash) == 64
    assert record.sms_message_id == last_message_to(PHONE).id
    assert last_message_to(PHONE).purpose == "otp:login"
    assert otp.verify(purpose="login", iin=IIN, code=code).used_at is not None


def test_the_sms_is_in_the_recipients_language(app, frozen):
    issue(language="ru")
    assert "Ваш код" in last_message_to(PHONE).text
    frozen(2026, 11, 25, 10, 2)  # past the one-minute cool-down
    issue(language="kk")
    assert "Сіздің кодыңыз" in last_message_to(PHONE).text


def test_a_code_works_once(app):
    issue()
    code = last_code_to(PHONE)
    otp.verify(purpose="login", iin=IIN, code=code)
    with pytest.raises(otp.NoActiveCode):
        otp.verify(purpose="login", iin=IIN, code=code)


def test_a_code_expires_after_five_minutes(app, frozen):
    frozen(2026, 3, 10, 10, 0)
    issue()
    code = last_code_to(PHONE)
    frozen(2026, 3, 10, 10, 5)  # exactly at the end of its life
    with pytest.raises(otp.CodeExpired) as caught:
        otp.verify(purpose="login", iin=IIN, code=code)
    assert caught.value.lifetime_minutes == 5


def test_a_code_is_accepted_just_before_it_expires(app, frozen):
    frozen(2026, 3, 10, 10, 0)
    issue()
    code = last_code_to(PHONE)
    frozen(2026, 3, 10, 10, 4)
    assert otp.verify(purpose="login", iin=IIN, code=code)


def test_five_wrong_codes_kill_the_code_even_the_right_one_after(app):
    issue()
    code = last_code_to(PHONE)
    left = []
    for _ in range(4):
        with pytest.raises(otp.WrongCode) as caught:
            otp.verify(purpose="login", iin=IIN, code=wrong_code(code))
        left.append(caught.value.attempts_left)
    assert left == [4, 3, 2, 1]
    with pytest.raises(otp.TooManyAttempts):
        otp.verify(purpose="login", iin=IIN, code=wrong_code(code))
    with pytest.raises(otp.TooManyAttempts):
        otp.verify(purpose="login", iin=IIN, code=code)


def test_malformed_input_is_told_and_not_counted(app):
    record = issue()
    for typed in ("", "12345", "1234567", "12a456", "١٢٣٤٥٦"):
        with pytest.raises(otp.InvalidCodeFormat):
            otp.verify(purpose="login", iin=IIN, code=typed)
    db.session.refresh(record)
    assert record.attempts == 0


def test_spaces_inside_a_typed_code_are_ignored(app):
    issue()
    code = last_code_to(PHONE)
    assert otp.verify(purpose="login", iin=IIN, code=f" {code[:3]} {code[3:]} ")


def test_a_code_is_bound_to_its_purpose_and_person(app):
    issue(purpose="consent:TB-2026-000001")
    code = last_code_to(PHONE)
    with pytest.raises(otp.NoActiveCode):
        otp.verify(purpose="login", iin=IIN, code=code)
    with pytest.raises(otp.NoActiveCode):
        otp.verify(purpose="consent:TB-2026-000002", iin=IIN, code=code)
    with pytest.raises(otp.NoActiveCode):
        otp.verify(purpose="consent:TB-2026-000001", iin="790903300456", code=code)
    assert otp.verify(purpose="consent:TB-2026-000001", iin=IIN, code=code)


def test_a_new_code_retires_the_previous_one(app, frozen):
    issue()
    first = last_code_to(PHONE)
    frozen(2026, 11, 25, 10, 2)
    issue()
    second = last_code_to(PHONE)
    if first != second:
        with pytest.raises(otp.WrongCode):
            otp.verify(purpose="login", iin=IIN, code=first)
    assert otp.verify(purpose="login", iin=IIN, code=second)


def test_one_code_per_iin_a_minute_whoever_asks(app, frozen):
    """The cool-down: a stranger asking for the owner's IIN delays the owner by a minute at most."""
    frozen(2026, 11, 25, 10, 0)
    issue(ip="10.6.6.6")  # a stranger's address
    with pytest.raises(otp.TooManyRequests) as caught:
        issue(ip="10.0.0.1")  # the owner, at once
    assert caught.value.retry_after_minutes == 1
    frozen(2026, 11, 25, 10, 1, 1)
    assert issue(ip="10.0.0.1")


def test_a_stranger_spends_only_their_own_addresss_share_of_an_iins_daily_codes(app, frozen):
    """Per IIN and origin: five codes a day for one IIN from one address; the owner's address still gets
    theirs, so knowing an IIN is not enough to lock its owner out."""
    per_iin = app.config["OTP_SENDS_PER_IIN"]
    for minute in range(per_iin):
        frozen(2026, 11, 25, 10, 2 * minute)
        issue(ip="10.6.6.6")
    frozen(2026, 11, 25, 11, 0)
    with pytest.raises(otp.TooManyRequests) as caught:
        issue(ip="10.6.6.6")
    assert caught.value.retry_after_minutes == 23 * 60  # the first of the day leaves the window at 10:00
    assert issue(ip="10.0.0.1"), "the owner's own address is not touched"
    frozen(2026, 11, 26, 10, 0, 1)
    assert issue(ip="10.6.6.6"), "the cap is per day"


def test_the_phone_has_a_daily_ceiling_against_a_flood_from_many_addresses(app, frozen):
    app.config["OTP_SENDS_PER_PHONE"] = 3
    for number in range(3):
        frozen(2026, 11, 25, 10, 2 * number)
        issue(ip=f"10.0.0.{number}")
    frozen(2026, 11, 25, 10, 30)
    with pytest.raises(otp.TooManyRequests):
        issue(ip="10.0.0.99")
    assert len(messages_to(PHONE)) == 3


def test_sending_is_limited_per_ip(app):
    app.config["OTP_SENDS_PER_IP"] = 2
    issue(iin="850412400123", phone="+77010000001")
    issue(iin="790903300456", phone="+77010000002")
    with pytest.raises(otp.TooManyRequests):
        issue(iin="900101300789", phone="+77010000003")
    issue(iin="900101300789", phone="+77010000003", ip="10.0.0.2")  # another address is not affected


def test_the_per_address_window_slides_with_the_clock(app, frozen):
    app.config["OTP_SENDS_PER_IP"] = 2
    frozen(2026, 3, 10, 10, 0)
    issue(iin="850412400123", phone="+77010000001")
    frozen(2026, 3, 10, 10, 30)
    issue(iin="790903300456", phone="+77010000002")
    with pytest.raises(otp.TooManyRequests) as caught:
        issue(iin="900101300789", phone="+77010000003")
    assert caught.value.retry_after_minutes == 30
    frozen(2026, 3, 10, 11, 0, 1)
    issue(iin="900101300789", phone="+77010000003")


def test_a_code_the_gateway_refused_spends_nothing_and_retires_nothing(app, frozen):
    """After an SMS outage the person who retried is not locked out (issue 13: «A failed SMS still spends the
    code quota: after an SMS outage, patients who retried are locked out for an hour»)."""
    issue()
    first = last_code_to(PHONE)
    app.config.update(SMS_BACKEND="http", SMS_HTTP_URL="")  # the gateway is unreachable
    for second in range(1, 12):
        frozen(2026, 11, 25, 10, 1, second)  # retried again and again: never "too many codes"
        with pytest.raises(notify.SmsUnavailable):
            issue()
    assert db.session.query(OneTimeCode).count() == 1, "no code is stored for an SMS that never went"
    assert db.session.query(SmsMessage).filter_by(status="failed").count() == 11  # kept for staff to see
    assert len(db.session.scalars(select(RateLimitHit.id)).all()) == 4, "only the sent code was counted"
    assert otp.verify(purpose="login", iin=IIN, code=first), "the code that did arrive still works"
    app.config["SMS_BACKEND"] = "outbox"
    frozen(2026, 11, 25, 10, 2)
    assert issue()


def test_the_refusal_names_no_person_and_no_phone(app):
    """«the message never reveals whether the IIN exists»: the same words for every limit and every IIN."""
    issue()
    with pytest.raises(otp.TooManyRequests) as caught, force_locale("ru"):
        issue()
    with force_locale("ru"):
        message = caught.value.message
        assert message == otp.TooManyRequests(1).message
    assert IIN not in message and "701" not in message


def test_rate_limit_keys_are_not_stored_in_the_clear(app):
    issue()
    keys = list(db.session.scalars(select(RateLimitHit.key_hash)))
    assert len(keys) == 4
    assert not any(IIN in key or "10.0.0.1" in key or PHONE in key for key in keys)


def test_limits_checked_together_each_count_their_own_window(app, frozen):
    hourly = rate_limit.Limit("test:hour", "key", 3, timedelta(hours=1))
    ten_minutes = rate_limit.Limit("test:ten-minutes", "key", 1, timedelta(minutes=10))
    for minute in (0, 20):
        frozen(2026, 3, 10, 10, minute)
        rate_limit.check_and_count(hourly, ten_minutes)
        frozen(2026, 3, 10, 10, minute + 5)
        with pytest.raises(rate_limit.RateLimited) as caught:
            rate_limit.check_and_count(hourly, ten_minutes)
        assert (caught.value.scope, caught.value.retry_after_minutes) == ("test:ten-minutes", 5)
    frozen(2026, 3, 10, 10, 40)
    rate_limit.check_and_count(hourly, ten_minutes)
    frozen(2026, 3, 10, 10, 55)
    with pytest.raises(rate_limit.RateLimited) as caught:  # the 10:00 hit leaves the hour at 11:00
        rate_limit.check_and_count(hourly, ten_minutes)
    assert (caught.value.scope, caught.value.retry_after_minutes) == ("test:hour", 5)
    frozen(2026, 3, 10, 11, 0, 1)
    rate_limit.check_and_count(hourly, ten_minutes)
    assert len(db.session.scalars(select(RateLimitHit.id)).all()) == 8  # refused attempts count nothing


def test_a_lowered_limit_waits_for_enough_hits_to_leave_the_window(app, frozen):
    for minute in (0, 10, 20):
        frozen(2026, 3, 10, 10, minute)
        rate_limit.check_and_count(rate_limit.Limit("test", "key", 3, timedelta(hours=1)))
    frozen(2026, 3, 10, 10, 30)
    with pytest.raises(rate_limit.RateLimited) as caught:
        rate_limit.check_and_count(rate_limit.Limit("test", "key", 2, timedelta(hours=1)))
    assert caught.value.retry_after_minutes == 40  # two of the three must go: the 10:10 hit leaves at 11:10


def test_rate_limit_reports_what_remains(app):
    limit = rate_limit.Limit("test", "key", 3, timedelta(hours=1))
    assert rate_limit.remaining(limit) == 3
    rate_limit.check_and_count(limit)
    assert rate_limit.remaining(limit) == 2


@pytest.mark.parametrize(
    ("language", "error", "expected"),
    [
        ("kk", otp.WrongCode(3), "Код қате. Тағы 3 рет"),
        ("ru", otp.WrongCode(3), "Неверный код. Осталось 3 попытки"),
        ("ru", otp.WrongCode(1), "Осталась 1 попытка"),
        ("kk", otp.CodeExpired(5), "мерзімі өтті"),
        ("ru", otp.CodeExpired(5), "Срок действия кода истёк"),
        ("kk", otp.TooManyAttempts(), "қате код"),
        ("ru", otp.TooManyAttempts(), "Слишком много"),
        ("kk", otp.TooManyRequests(12), "12 минуттан"),
        ("ru", otp.TooManyRequests(12), "через 12 минут"),
        ("kk", otp.NoActiveCode(), "Жаңа код"),
        ("ru", otp.NoActiveCode(), "Запросите новый код"),
    ],
)
def test_every_refusal_says_why_in_both_languages(app, language, error, expected):
    with force_locale(language):
        assert expected in error.message


def test_no_code_is_kept_in_the_database(app):
    issue()
    code = last_code_to(PHONE)
    stored = db.session.scalars(select(OneTimeCode)).one()
    assert code not in " ".join(str(value) for value in vars(stored).values())
