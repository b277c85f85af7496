"""Browser sessions kept on the server (app/sessions.py): the cookie carries a random token, nothing else."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class WebSession(Base):
    """One browser's session. Deleting the row ends it wherever its cookie was copied to: sign-out, "sign out
    everywhere", a password reset. Only the token's SHA-256 is stored: the table gives no working cookie."""

    __tablename__ = "web_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    data: Mapped[str] = mapped_column(Text)  # the session's values, as Flask's tagged JSON
    # The staff member signed in on it (Flask-Login's user id), for ending all of someone's sessions at once.
    staff_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_member.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime]  # when the session began: at a staff or patient sign-in it starts afresh
    seen_at: Mapped[datetime]  # the last request that wrote it (the idle mark moves at most once a minute)
