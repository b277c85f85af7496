"""URL helpers shared by every blueprint."""

from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for


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


def absolute_url(endpoint: str, **values) -> str:
    """An absolute URL for links that leave the site (SMS texts, QR codes), also outside a request.

    PUBLIC_BASE_URL wins when set (the address patients reach, which a request behind a proxy may not
    know); otherwise the current request's host, or SERVER_NAME / localhost in CLI commands and retries.
    """
    base = (current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/")
    if has_request_context():
        if not base:
            return url_for(endpoint, _external=True, **values)
        return base + url_for(endpoint, **values)
    server_name = current_app.config.get("SERVER_NAME") or "localhost"
    adapter = current_app.url_map.bind(
        server_name, script_name=current_app.config.get("APPLICATION_ROOT") or "/"
    )
    path = adapter.build(endpoint, values)
    if not base:
        base = f"{current_app.config.get('PREFERRED_URL_SCHEME') or 'http'}://{server_name}"
    return base + path
