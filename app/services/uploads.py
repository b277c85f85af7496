"""Files people bring to the desk (scans and photos of applications and identity documents).

    checked = uploads.check(file_storage.stream, file_storage.filename)   # UploadError: .message says why
    stored = uploads.save(checked)                                        # written under the uploads folder
    path = uploads.path_of(stored.stored_name)                            # for an audited staff download

- The type is read from the content's signature (JPEG, PNG or PDF), never from the name or the browser's
  claim, so a renamed program or web page is refused, and the file is later served with the type it has.
  A signature is not enough: a PDF must also be whole (a version in its header, `%%EOF` at its end), and no
  file may start like a web page (a page that begins with "%PDF-" is still a page to a browser sniffing it).
- At most UPLOAD_MAX_BYTES (10 MB by default) per file, counted while reading, so an oversized file is never
  held whole in memory.
- Stored under a random name, served to staff only, through their own audited routes. Where: UPLOAD_STORAGE
  "disk" keeps them under INSTANCE_UPLOADS (default <instance>/uploads), outside the static folder, readable
  by the app's user only; "database" keeps them in the database (app.services.file_store), which every app
  process on every host sees. Empty (the default) means "database" when HOSTS > 1, else "disk".
  `read()` finds a file wherever it was stored, so switching the setting loses no earlier file.
"""

import hashlib
import logging
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from flask_babel import lazy_gettext as _l

from app.services import file_store

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
# (content type, how the content starts, the extension we store it under)
SIGNATURES = (
    ("image/jpeg", b"\xff\xd8\xff", ".jpg"),
    ("image/png", b"\x89PNG\r\n\x1a\n", ".png"),
    ("application/pdf", b"%PDF-", ".pdf"),
)
_PDF_HEADER = re.compile(rb"%PDF-[12]\.\d")
# What a browser looks at to decide a file is a web page; none of it belongs in the first bytes of a scan.
_MARKUP = re.compile(rb"<\s*(?:!doctype|html|head|body|script|iframe|svg|object|embed|meta)\b", re.I)
_SNIFFED_BYTES = 1024
_STORED_NAME = re.compile(r"^[A-Za-z0-9_-]{20,60}\.(jpg|png|pdf)$")
_CHUNK = 64 * 1024


class UploadError(ValueError):
    """The file cannot be taken; `message` says why in the user's language."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class CheckedUpload:
    data: bytes
    content_type: str
    extension: str
    original_name: str


@dataclass(frozen=True)
class StoredUpload:
    stored_name: str
    original_name: str
    content_type: str
    size: int
    sha256: str


STORAGES = ("disk", "database")


def storage(config=None) -> str:
    """Where new files go: UPLOAD_STORAGE, or by default the database as soon as several hosts serve."""
    config = config if config is not None else current_app.config
    chosen = str(config.get("UPLOAD_STORAGE") or "").strip().lower()
    if not chosen:
        return "database" if int(config.get("HOSTS") or 1) > 1 else "disk"
    if chosen not in STORAGES:
        raise ValueError(f"UPLOAD_STORAGE must be one of {', '.join(STORAGES)}, not {chosen!r}")
    return chosen


def uploads_dir() -> Path:
    configured = current_app.config.get("INSTANCE_UPLOADS")
    return Path(configured) if configured else Path(current_app.instance_path) / "uploads"


def max_upload_bytes() -> int:
    return int(current_app.config.get("UPLOAD_MAX_BYTES") or DEFAULT_MAX_BYTES)


def max_upload_megabytes() -> int:
    return max(1, round(max_upload_bytes() / (1024 * 1024)))


def detect_content_type(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) of a JPEG, PNG or PDF from its first bytes, or None."""
    for content_type, signature, extension in SIGNATURES:
        if head.startswith(signature):
            return content_type, extension
    return None


def check(stream: BinaryIO, filename: str | None) -> CheckedUpload:
    """Read and check one uploaded file. Raises UploadError; nothing is written."""
    limit = max_upload_bytes()
    chunks, size = [], 0
    while True:
        chunk = stream.read(_CHUNK)
        if not chunk:
            break
        size += len(chunk)
        if size > limit:
            raise UploadError(
                _l(
                    "The file is too big: at most %(megabytes)s MB is accepted.",
                    megabytes=max_upload_megabytes(),
                )
            )
        chunks.append(chunk)
    data = b"".join(chunks)
    if not data:
        raise UploadError(_l("The file is empty. Please choose the scan or photo again."))
    detected = detect_content_type(data[:16])
    if detected is None or not _is_whole(detected[0], data):
        raise UploadError(
            _l("This file is not a photo or a PDF. Please upload a JPEG or PNG photo, or a PDF scan.")
        )
    content_type, extension = detected
    return CheckedUpload(data, content_type, extension, _display_name(filename))


def _is_whole(content_type: str, data: bytes) -> bool:
    """The content is what its signature says, not a web page behind one."""
    if _MARKUP.search(data[:_SNIFFED_BYTES]):
        return False
    if content_type == "application/pdf":
        return bool(_PDF_HEADER.match(data)) and b"%%EOF" in data[-_SNIFFED_BYTES:]
    return True


def save(upload: CheckedUpload) -> StoredUpload:
    stored_name = secrets.token_urlsafe(24) + upload.extension
    if storage() == "database":
        file_store.put("upload", upload.data, name=stored_name, content_type=upload.content_type)
    else:
        _write_to_disk(stored_name, upload.data)
    log.info("upload stored as %s (%s, %d bytes)", stored_name, upload.content_type, len(upload.data))
    return StoredUpload(
        stored_name=stored_name,
        original_name=upload.original_name,
        content_type=upload.content_type,
        size=len(upload.data),
        sha256=hashlib.sha256(upload.data).hexdigest(),
    )


def _write_to_disk(stored_name: str, data: bytes) -> None:
    folder = uploads_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / stored_name
    # O_EXCL: a (practically impossible) name clash fails instead of overwriting someone else's file.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)


def path_of(stored_name: str) -> Path | None:
    """The file behind a stored name, or None when the name is not one of ours or the file is gone."""
    if not _STORED_NAME.match(stored_name or ""):
        return None
    path = uploads_dir() / stored_name
    return path if path.is_file() else None


def read(stored_name: str) -> bytes | None:
    """The content behind a stored name, from the database or the disk, or None."""
    if not _STORED_NAME.match(stored_name or ""):
        return None
    stored = file_store.get(stored_name, purpose="upload")
    if stored is not None:
        return stored.data
    path = path_of(stored_name)
    return path.read_bytes() if path is not None else None


def remove(stored_name: str) -> None:
    """Delete a stored file (used when the record it belongs to could not be saved)."""
    if not _STORED_NAME.match(stored_name or ""):
        return
    file_store.remove(stored_name, purpose="upload")
    path = path_of(stored_name)
    if path is not None:
        path.unlink(missing_ok=True)


def _display_name(filename: str | None) -> str:
    # Only shown to staff and offered as the download name: keep it short and free of path parts.
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    name = "".join(char for char in name if char.isprintable() and char not in '"<>')
    return name[:200]
