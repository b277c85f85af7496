"""Default configuration: the first of the layers applied by create_app().

Layers, later wins: these defaults -> instance/config.py -> environment -> test overrides.
"""

from datetime import timedelta
from pathlib import Path

# The checkout: translations/, migrations/ and instance/ live beside app/.
PROJECT_ROOT = Path(__file__).resolve().parent.parent


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
    # Sessions are kept on the server (app/sessions.py); every one ends this long after it began however
    # active, a staff session counting from the sign-in.
    SESSION_LIFETIME = timedelta(hours=12)
    # Failed sign-ins (app/services/staff_accounts.py): LOGIN_MAX_FAILURES for one username from one address,
    # or LOGIN_MAX_FAILURES_PER_ADDRESS from one address whatever the usernames, hold it for LOGIN_LOCKOUT.
    # Only that address is held: the real user still signs in at their own desk.
    LOGIN_MAX_FAILURES = 5
    LOGIN_MAX_FAILURES_PER_ADDRESS = 30
    LOGIN_LOCKOUT = timedelta(minutes=15)
    # Argon2id cost, e.g. {"time_cost": 3, "memory_cost": 65536}; empty means argon2-cffi's recommended
    # defaults. Only the test suite lowers it, to keep hundreds of sign-ins fast.
    PASSWORD_HASH_PARAMETERS: dict = {}
    # Trusted reverse-proxy hops in front of the app (app/security.py): 0 trusts no X-Forwarded-* header;
    # deploy/ sets 1 for nginx on the same machine. HTTPS: the site is served over TLS (HSTS, Secure cookies).
    PROXY_HOPS = 0
    HTTPS = False
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"

    # The largest request body: uploads are checked more strictly by each service (10 MB scans, 20 MB CSV),
    # this stops anything bigger before it is even spooled to disk.
    MAX_CONTENT_LENGTH = 25 * 1024 * 1024

    WTF_CSRF_TIME_LIMIT = None  # tied to the session instead; long forms must not expire mid-typing

    REGISTRY_BACKEND = "local"  # local | http
    # National registries (app/registries). Set as EMHANA_REGISTRY_URL=... etc. in the environment.
    # The name of the information system printed on information forms when the local registry answers.
    REGISTRY_SOURCE_NAME = "Emhana"
    # REGISTRY_BACKEND=http: the gateway's base URL (docs/registry-gateway.openapi.yaml) and bearer token.
    REGISTRY_URL = ""  # e.g. https://gateway.clinic.local/api/registry/v1
    REGISTRY_TOKEN = ""
    REGISTRY_CONNECT_TIMEOUT = 2.0  # seconds
    REGISTRY_READ_TIMEOUT = 5.0  # seconds
    REGISTRY_RETRIES = 2  # extra tries of a read after a connection error or 5xx
    REGISTRY_RETRY_BACKOFF = 0.25  # seconds before the first retry, doubled each time
    REGISTRY_CIRCUIT_FAILURES = 5  # failed calls in a row that open the circuit
    REGISTRY_CIRCUIT_COOLDOWN = 30.0  # seconds the circuit stays open before one trial call
    REGISTRY_CACHE_SECONDS = 60.0  # how long a registry answer is reused; 0 turns the cache off
    # `flask registry-gateway`: the token its clients must send (it serves personal data, so it is required).
    REGISTRY_GATEWAY_TOKEN = ""
    # A real installation (deploy/ sets EMHANA_PRODUCTION=true): the app refuses to start with the embedded
    # SMS outbox, which delivers nothing and shows admins the live codes, unless SMS_OUTBOX_IN_PRODUCTION.
    PRODUCTION = False
    SMS_OUTBOX_IN_PRODUCTION = False
    SMS_BACKEND = "outbox"  # outbox | http
    # SMS_BACKEND=http (app/notify/http.py): the gateway's URL, bearer token, sender name, timeouts (seconds).
    SMS_HTTP_URL = ""  # e.g. https://sms.clinic.local/api/v1/messages
    SMS_HTTP_TOKEN = ""
    SMS_HTTP_SENDER = "Emhana"
    SMS_CONNECT_TIMEOUT = 2.0
    SMS_READ_TIMEOUT = 5.0
    # With a real gateway, messages about requests are sent by the SMS worker after the request's commit
    # (app/services/sms.py): tried again with a growing pause for this long (a reminder: until the visit),
    # and at most SMS_MAX_ATTEMPTS times (0: no limit but the time). The worker looks for work this often.
    SMS_RETRY_FOR = timedelta(hours=24)
    SMS_MAX_ATTEMPTS = 0
    SMS_WORKER_INTERVAL = 2.0  # seconds

    # One-time codes (app/services/otp.py): life and wrong tries per code; then how many may be sent, counting
    # only codes the SMS gateway took: one per IIN per OTP_IIN_COOLDOWN whoever asks, OTP_SENDS_PER_IIN a day
    # for one IIN from one origin (a stranger spends only their own address's share), OTP_SENDS_PER_PHONE a
    # day to one phone, and OTP_SENDS_PER_IP from one origin within OTP_SEND_WINDOW.
    OTP_LIFETIME = timedelta(minutes=5)
    OTP_MAX_ATTEMPTS = 5
    OTP_IIN_COOLDOWN = timedelta(seconds=60)
    OTP_SENDS_PER_IIN = 5
    OTP_SENDS_PER_PHONE = 20
    OTP_SEND_WINDOW = timedelta(hours=1)
    OTP_SENDS_PER_IP = 20
    # A registered lobby kiosk is one origin for every patient in the lobby: its per-origin limits (codes,
    # complaints, forms) are this many times a single address's.
    KIOSK_LIMIT_FACTOR = 10
    # A patient identified by a one-time code stays signed in on the website for this long while active.
    PATIENT_SESSION_IDLE = timedelta(minutes=20)
    # /status: how often an open request's status card refreshes itself (htmx polling), in seconds.
    STATUS_POLL_SECONDS = 5
    # Absolute address of the site, for links in SMS and QR codes made outside a request (CLI, retries).
    # Required when PRODUCTION (app/security.py), so that no link is ever built from a client's Host header.
    # Empty (the demo and tests only): taken from the current request, or http://localhost when there is none.
    PUBLIC_BASE_URL = ""

    # Information forms (regulation 004): how long a third-party request waits for the subject's consent
    # before it is refused on the "no consent" ground, and how many requests one applicant may make a day.
    CONSENT_TIMEOUT = timedelta(minutes=30)
    CERTIFICATE_REQUESTS_PER_DAY = 10

    # Lobby kiosk: an idle kiosk returns to its start screen and forgets the visitor after this many seconds.
    KIOSK_IDLE_SECONDS = 60

    # Appointment booking (app/services/appointments/rules.py).
    APPOINTMENT_HORIZON_DAYS = 14  # how many days ahead patients and the desk may book
    APPOINTMENT_MAX_PER_SPECIALITY = 1  # future bookings one patient may hold per speciality
    APPOINTMENT_CHANGE_CUTOFF = timedelta(hours=2)  # online cancel/move allowed up to this before the visit
    APPOINTMENT_NO_SHOW_WINDOW_DAYS = 365  # no-shows counted over this many days for the desk's warning

    # Home doctor calls (app/services/home_visits/): the length of the visit window given to the patient,
    # and how long before the 10/30-minute answer deadline the desk's journal starts warning.
    HOME_VISIT_WINDOW = timedelta(hours=4)
    HOME_VISIT_DEADLINE_WARNING = timedelta(minutes=5)
    HOME_VISIT_CALLS_PER_APPLICANT_PER_DAY = 5  # online: calls one signed-in person may make a day

    # Files brought to the desk (app/services/uploads.py): where they are kept (empty: <instance>/uploads,
    # outside the static folder) and the largest file accepted.
    INSTANCE_UPLOADS = ""
    # "disk" (INSTANCE_UPLOADS) or "database" (app/services/file_store.py, seen by every host); empty: the
    # database when HOSTS > 1, else the disk.
    UPLOAD_STORAGE = ""
    UPLOAD_MAX_BYTES = 10 * 1024 * 1024
    # Attachment applications (app/services/attachment/rules.py): the decision queue flags an open application
    # this long before its deadline (one working day).
    ATTACHMENT_DEADLINE_WARNING = timedelta(hours=2)

    # How long the nightly purge (`flask purge`, app/ops/purge.py) keeps expired one-time codes and the
    # words of old SMS (the outbox rows themselves stay).
    RETAIN_ONE_TIME_CODES = timedelta(days=30)
    RETAIN_SMS_TEXTS = timedelta(days=180)

    # How many machines run app processes against the one database (docs/scaling.md). Above 1 the app refuses
    # to start without a SECRET_KEY from the configuration (each machine would otherwise make its own, and a
    # session begun on one would be refused by the next) or on SQLite, and keeps uploads in the database.
    HOSTS = 1
    # After a lost database connection (a failover), how many times a read-only request (GET, HEAD) is run
    # again on a fresh connection before the user sees "please try again" (app/reconnect.py).
    DATABASE_READ_RETRIES = 1

    # Logging (app/ops/logs.py): to stderr (the journal under systemd); "json" for one JSON object a line.
    LOG_LEVEL = "INFO"
    LOG_FORMAT = "text"

    # Backups (app/ops/backup.py, `flask backup`): the folder archives go to (empty: <instance>/backups) and
    # how many of the newest the nightly timer keeps there; PG_BIN_DIR picks the pg_dump/pg_restore to use
    # (empty: the newest under /usr/lib/postgresql, else PATH's).
    BACKUP_DIR = ""
    BACKUP_KEEP = 14
    PG_BIN_DIR = ""
    # Electronic signatures on issued documents (app/signing, docs/signing.md). SIGNING_BACKEND=local signs
    # with the clinic's PKCS#12 key file (empty: <instance>/signing/clinic.p12; `flask signing-key ...`),
    # opened with EMHANA_SIGNING_KEY_PASSWORD (empty: a password derived from SECRET_KEY); =http asks the
    # external signing service at SIGNING_HTTP_URL. A document that cannot be signed now waits in the
    # signing queue (`flask sign-pending`, the admin page), never issued unsigned.
    SIGNING_BACKEND = "local"  # local | http
    SIGNING_KEY_FILE = ""
    SIGNING_KEY_PASSWORD = ""
    SIGNING_HTTP_URL = ""  # e.g. https://signer.clinic.local/api/v1
    SIGNING_HTTP_TOKEN = ""
    SIGNING_CONNECT_TIMEOUT = 2.0  # seconds
    SIGNING_READ_TIMEOUT = 10.0  # seconds
    SIGNING_CIRCUIT_FAILURES = 3
    SIGNING_CIRCUIT_COOLDOWN = 30.0  # seconds
    SIGNING_TSA_URL = ""  # an RFC 3161 timestamp authority, optional (offline clinics have none)
    SIGNING_TSA_TIMEOUT = 5.0  # seconds
    SIGNING_EXPIRY_WARNING_DAYS = 30  # the admin page warns this long before the certificate expires
    SIGNING_CHECK_MAX_BYTES = 10 * 1024 * 1024  # the public "check a PDF" page's largest upload
    SIGNING_CHECKS_PER_HOUR = 30  # uploads one origin may check an hour

    # The clinic's public emergency numbers (shown on red-flag answers).
    EMERGENCY_PHONE = "103"
    # Urgent care (service 12): the department's phone (empty: the clinic's), its hours (None: the clinic's;
    # "around the clock"; or ("08:00", "24:00")), and how long before the 7 hours a call turns amber.
    URGENT_CARE_PHONE = ""
    URGENT_CARE_HOURS = None
    URGENT_CARE_DEADLINE_WARNING = timedelta(hours=1)
    CONTACT_CENTRE_PHONE = "1414"
