"""Language choice and locale-aware formatting. Kazakh is the default; Russian is the other language."""

from flask import current_app, g, has_request_context, request
from flask_babel import get_locale


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    forced = getattr(g, "forced_language", None)
    if forced in languages:
        return forced
    # Outside a request (CLI, reminders) the caller picks the language with force_locale().
    chosen = request.cookies.get(current_app.config["LANGUAGE_COOKIE"]) if has_request_context() else None
    if chosen in languages:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def current_language() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def localized(obj, field: str) -> str:
    """obj.<field>_kk or obj.<field>_ru, by the current language, falling back to Kazakh."""
    value = getattr(obj, f"{field}_{current_language()}", None)
    return value or getattr(obj, f"{field}_kk", "")
