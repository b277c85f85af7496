"""HIV testing (service 7, 001 annex 4): the regulation's rules, the settings the clinic chose, and errors.

Two regimes, chosen by the counselling doctor at step 1 (shared/regulations/services-7-14.md, B.7 and product
decision 1): anonymous (the personal code is the person's only key; no name, IIN, phone, address, patient card
SMS or survey) and confidential (the identity from the state database of individuals, under medical secrecy).
A regime is never switched after step 1: identity can never be attached to an anonymous history.
"""

from dateutil.relativedelta import relativedelta

SERVICE = "hiv-testing"

REGIMES = ("anonymous", "confidential")
PAYERS = ("citizen", "kandas", "foreigner", "stateless")
PAID_PAYERS = frozenset({"foreigner", "stateless"})  # 001:586-588: free for citizens and қандас
REASONS = ("voluntary", "pregnancy", "donor", "employment", "migrant", "contact", "clinical", "other")
RESULTS = ("negative", "positive", "invalid")
SEXES = ("M", "F")

# The certificate is valid 3 months from the moment it is issued (001:582), calendar months.
CERTIFICATE_VALIDITY = relativedelta(months=3)
CERTIFICATE_KIND = "hiv_certificate"
CERTIFICATE_PREFIX = "HIVC"
# The talon of step 2, an issued document with no subject (the code only): HIVT-2026-000001.
TALON_KIND, TALON_PREFIX = "hiv_talon", "HIVT"

# Default terms (001 annex 4 item 5, as written; the clinic confirms them against the national standard).
DEFAULT_POSITIVE_TERM_DAYS = 3
DEFAULT_NEGATIVE_TERM_DAYS = 20
MAX_TERM_DAYS = 60
MAX_PRICE = 1_000_000

# Unknown or mistyped codes asked at the hand-over, per client (app.channels.client_key()).
LOOKUP_FAILURES_PER_WINDOW = 10
LOOKUP_WINDOW_MINUTES = 15

TALON_FORMATS = ("a6", "80mm")

# What a test is waiting for, read from its row (the journal and the lists show it).
STAGES = ("registered", "drawn", "redraw", "result_ready", "handed_over")


def stage_of(test) -> str:
    if test.handed_over_at is not None:
        return "handed_over"
    if test.result == "invalid":
        return "redraw"
    if test.result is not None:
        return "result_ready"
    if test.drawn_at is not None:
        return "drawn"
    return "registered"


def is_paid(payer: str) -> bool:
    return payer in PAID_PAYERS


class HivError(Exception):
    """A step the rules refuse; `message` says why, in the reader's language. Nothing was changed."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message
