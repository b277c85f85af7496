"""Default configuration: the first of the layers applied by create_app().

Layers, later wins: these defaults -> instance/config.py -> environment -> test overrides.
"""

from datetime import timedelta


class DefaultConfig:
    # SECRET_KEY is deliberately absent: create_app() reads it from the environment or
    # instance/secret_key, generating that file on first run. No key lives in the code.
    SQLALCHEMY_DATABASE_URI = None  # None -> sqlite:///<instance>/emhana.db, set in create_app()
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    BABEL_DEFAULT_LOCALE = "kk"
    BABEL_DEFAULT_TIMEZONE = "Asia/Almaty"
    LANGUAGES = ("kk", "ru")
    LANGUAGE_COOKIE = "emhana_lang"

    # Staff sessions end after this much inactivity (a shared desk computer is the norm).
    STAFF_IDLE_TIMEOUT = timedelta(minutes=30)
    LOGIN_MAX_FAILURES = 5
    LOGIN_LOCKOUT = timedelta(minutes=15)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"

    WTF_CSRF_TIME_LIMIT = None  # tied to the session instead; long forms must not expire mid-typing

    REGISTRY_BACKEND = "local"  # local | http
    SMS_BACKEND = "outbox"  # outbox | http

    # The clinic's public emergency numbers (shown on red-flag answers).
    EMERGENCY_PHONE = "103"
    CONTACT_CENTRE_PHONE = "1414"
