"""Files kept in the database, so that every app process (on this machine or another, docs/scaling.md) sees
the same ones: a scan one process took at the desk is downloaded through another, a registry CSV previewed
through one is confirmed through the next.

    file_store.put("upload", data, name=..., content_type="image/png")   # flushed with the request
    file_store.get(name, purpose="upload")                              # StoredFile or None
    file_store.remove(name, purpose="upload")
    file_store.prune("registry_import", older_than=timedelta(hours=24))

A file is written in the request's own transaction: when the request fails it is gone with everything else,
and no orphan is left behind on a disk. The embedded default; an object store adapter (S3/MinIO) would take
the same four calls.
"""

from datetime import timedelta

from sqlalchemy import delete, select

from app.core.clock import now
from app.extensions import db
from app.models import StoredFile

PURPOSES = ("upload", "registry_import")


def put(
    purpose: str,
    data: bytes,
    *,
    name: str,
    content_type: str,
    owner_staff_id: int | None = None,
    label: str = "",
) -> StoredFile:
    if purpose not in PURPOSES:
        raise ValueError(f"unknown purpose {purpose!r}")
    stored = StoredFile(
        name=name,
        purpose=purpose,
        content_type=content_type,
        data=data,
        owner_staff_id=owner_staff_id,
        label=label[:200],
        created_at=now(),
    )
    db.session.add(stored)
    db.session.flush()
    return stored


def get(name: str, *, purpose: str) -> StoredFile | None:
    return db.session.scalar(select(StoredFile).where(StoredFile.name == name, StoredFile.purpose == purpose))


def remove(name: str, *, purpose: str) -> None:
    db.session.execute(delete(StoredFile).where(StoredFile.name == name, StoredFile.purpose == purpose))


def prune(purpose: str, *, older_than: timedelta) -> int:
    removed = db.session.execute(
        delete(StoredFile).where(StoredFile.purpose == purpose, StoredFile.created_at < now() - older_than)
    )
    return removed.rowcount or 0
