"""URL helpers shared by every blueprint."""

from urllib.parse import urlsplit


def safe_next_path(target: str | None, default: str = "/") -> str:
    """Only same-site paths: a `next=` parameter must never become an open redirect."""
    if not target:
        return default
    parts = urlsplit(target)
    if (
        parts.scheme
        or parts.netloc
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
    ):
        return default
    return target
