"""The nightly purge (issue 15, item 4): expired codes, old SMS words and old rate-limit hits go, by the
retention settings; everything else stays."""

from datetime import timedelta

from sqlalchemy import select

from app.core.clock import now
from app.extensions import db
from app.models import OneTimeCode, RateLimitHit, SmsMessage


def code(expired_days_ago: int) -> OneTimeCode:
    expires = now() - timedelta(days=expired_days_ago)
    record = OneTimeCode(
        purpose="login",
        iin="850401300111",
        phone="+77010000001",
        code_hash="0" * 64,
        created_at=expires - timedelta(minutes=5),
        expires_at=expires,
        attempts=0,
    )
    db.session.add(record)
    return record


def message(days_ago: int, status: str = "sent") -> SmsMessage:
    record = SmsMessage(
        created_at=now() - timedelta(days=days_ago),
        phone="+77010000001",
        purpose="appointments:booked",
        language="kk",
        text=f"Сіз {days_ago} күн бұрын жазылдыңыз",
        backend="http",
        status=status,
    )
    db.session.add(record)
    return record


def hit(days_ago: float) -> RateLimitHit:
    record = RateLimitHit(scope="otp_send:iin", key_hash="1" * 64, at=now() - timedelta(days=days_ago))
    db.session.add(record)
    return record


def test_purge_removes_only_what_the_retention_settings_let_go(app):
    code(31)
    recent_code = code(29)
    old_sms, recent_sms, old_but_queued = message(181), message(179), message(200, status="queued")
    hit(3)
    recent_hit = hit(1)
    db.session.commit()
    old_sms_id = old_sms.id

    result = app.test_cli_runner().invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "purged 1 one-time codes, 1 SMS texts, 1 rate-limit hits" in result.output
    db.session.expire_all()
    assert [c.id for c in db.session.scalars(select(OneTimeCode))] == [recent_code.id]
    assert [h.id for h in db.session.scalars(select(RateLimitHit))] == [recent_hit.id]
    texts = {m.id: m.text for m in db.session.scalars(select(SmsMessage))}
    assert texts[old_sms_id] == "" and texts[recent_sms.id] and texts[old_but_queued.id]
    assert (
        "purged 0 one-time codes, 0 SMS texts, 0 rate-limit hits"
        in app.test_cli_runner().invoke(args=["purge"]).output
    )
