"""HIV testing (service 7): one row per test, keyed by the personal code, and nothing that names the person.

The anonymous regime stores no name, IIN, phone, address, birth date (only the year) and no patient card: the
tables below have no column for any of them. The confidential regime keeps the identity the state database of
individuals gave in its own table (hiv_identity), the only one meant for it, one row per confidential test.
"""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from app.models.base import Base
from app.models.document import Document
from app.models.requests import ServiceRequest


class HivTest(Base):
    __tablename__ = "hiv_test"
    __table_args__ = (
        CheckConstraint("regime IN ('anonymous', 'confidential')", name="known_regime"),
        CheckConstraint("payer IN ('citizen', 'kandas', 'foreigner', 'stateless')", name="known_payer"),
        CheckConstraint(
            "result IS NULL OR result IN ('negative', 'positive', 'invalid')", name="known_result"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_request.id"), unique=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)  # the personal code, random, with a check
    regime: Mapped[str] = mapped_column(String(12))
    # Step 1 (counselling doctor): what the journal asks, and no more.
    sex: Mapped[str] = mapped_column(String(1), default="")  # "M" | "F" | "" (not said)
    birth_year: Mapped[int | None]
    payer: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str] = mapped_column(String(20))  # voluntary, or the contingent of a mandatory test
    pre_test_counselling: Mapped[bool] = mapped_column(default=False)
    registered_at: Mapped[datetime]
    # The payment record of a paid test (foreigners and stateless persons).
    payment_amount: Mapped[int | None]
    payment_receipt: Mapped[str] = mapped_column(String(40), default="")
    payment_date: Mapped[date | None]
    # Step 2 (procedure-room nurse).
    sample_number: Mapped[str | None] = mapped_column(String(12), unique=True)
    drawn_at: Mapped[datetime | None]
    result_due_on: Mapped[date | None]
    redraws: Mapped[int] = mapped_column(default=0)
    # Step 3 (laboratory).
    result: Mapped[str | None] = mapped_column(String(10))
    result_at: Mapped[datetime | None]
    # Step 4 (hand-over).
    handed_over_at: Mapped[datetime | None]
    post_test_counselling: Mapped[bool] = mapped_column(default=False)
    referred_for_confirmation: Mapped[bool] = mapped_column(default=False)
    certificate_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))

    request: Mapped[ServiceRequest] = relationship(
        backref=backref("hiv_test", uselist=False), lazy="joined", innerjoin=True
    )
    certificate: Mapped[Document | None] = relationship()
    identity: Mapped["HivIdentity | None"] = relationship(
        back_populates="test", uselist=False, cascade="all, delete-orphan"
    )


class HivIdentity(Base):
    """The identity of a confidential test, as the state database of individuals gave it (medical secrecy)."""

    __tablename__ = "hiv_identity"

    id: Mapped[int] = mapped_column(primary_key=True)
    test_id: Mapped[int] = mapped_column(ForeignKey("hiv_test.id"), unique=True)
    iin: Mapped[str] = mapped_column(String(12))
    full_name: Mapped[str] = mapped_column(String(200), default="")  # "" while the registry has not answered
    birth_date: Mapped[date | None]
    registry_source: Mapped[str] = mapped_column(String(200), default="")

    test: Mapped[HivTest] = relationship(back_populates="identity")


class HivSettings(Base):
    """The clinic's settings for the service (one row): result terms, price, where the result is collected."""

    __tablename__ = "hiv_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    # 001 annex 4 item 5: «оң нәтижесінде – 3 жұмыс күні; теріс нәтижесінде – 20 жұмыс күні» (as written).
    positive_term_days: Mapped[int] = mapped_column(default=3)
    negative_term_days: Mapped[int] = mapped_column(default=20)
    price: Mapped[int] = mapped_column(default=0)  # tenge, for foreigners and stateless persons
    room: Mapped[str] = mapped_column(String(20), default="")
    hours_kk: Mapped[str] = mapped_column(String(200), default="")
    hours_ru: Mapped[str] = mapped_column(String(200), default="")
