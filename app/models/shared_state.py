"""What several app processes (on one machine or several, docs/scaling.md) must share: files kept between
two requests, and small pieces of state such as the registry circuit breaker's."""

from datetime import datetime

from sqlalchemy import Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class StoredFile(Base):
    """A file kept in the database instead of one machine's disk (UPLOAD_STORAGE=database): a scan brought
    to the desk ("upload"), or a registry CSV waiting for the admin's confirmation ("registry_import")."""

    __tablename__ = "stored_file"
    __table_args__ = (Index("ix_stored_file_purpose_created", "purpose", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)  # random; the only handle on the file
    purpose: Mapped[str] = mapped_column(String(20))
    content_type: Mapped[str] = mapped_column(String(60))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    owner_staff_id: Mapped[int | None]  # who may read it back (imports); no FK, nothing cascades
    label: Mapped[str] = mapped_column(String(200), default="")  # the name it was uploaded under
    created_at: Mapped[datetime]


class SharedState(Base):
    """One named piece of state every process reads: a JSON value and a version bumped at every write."""

    __tablename__ = "shared_state"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="{}")
    version: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime]
