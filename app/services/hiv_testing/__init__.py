"""HIV testing by personal code (service 7, 001 annex 4): anonymous and confidential regimes.

Its face: the names the web layer and the demo use, and its hooks: the labels of its steps, the document kind
of its certificate, the registry retry handler of a confidential test, and the status page's refusal to show
any of its requests (results only in person, never through /status).
"""

from app.core.bilingual import Bilingual
from app.services import documents, registry_pending, status
from app.services import requests as request_service
from app.services.hiv_testing import codes
from app.services.hiv_testing.operations import (
    Registration,
    draw_blood,
    enter_result,
    issue_certificate,
    print_talon,
    record_post_test_counselling,
    register,
    resume_identity,
    save_settings,
)
from app.services.hiv_testing.queries import (
    Figures,
    certificate_facts,
    certificate_pdf,
    figures,
    get_settings,
    journal,
    lab_queue,
    list_tests,
    open_sample,
    open_test,
    print_journal,
    view_test,
)
from app.services.hiv_testing.rules import (
    CERTIFICATE_KIND,
    CERTIFICATE_PREFIX,
    MAX_PRICE,
    MAX_TERM_DAYS,
    PAYERS,
    REASONS,
    REGIMES,
    RESULTS,
    SERVICE,
    SEXES,
    TALON_FORMATS,
    TALON_KIND,
    TALON_PREFIX,
    HivError,
    is_paid,
    stage_of,
)
from app.services.hiv_testing.texts import (
    PAYER_LABELS,
    REASON_LABELS,
    REGIME_LABELS,
    RESULT_LABELS,
    SEX_LABELS,
    STAGE_LABELS,
    STEP_LABELS,
    TERMS_WARNING,
)

display_code = codes.display

normalise_code = codes.normalise

__all__ = [
    "CERTIFICATE_KIND",
    "MAX_PRICE",
    "MAX_TERM_DAYS",
    "PAYERS",
    "PAYER_LABELS",
    "REASONS",
    "REASON_LABELS",
    "REGIMES",
    "REGIME_LABELS",
    "RESULTS",
    "RESULT_LABELS",
    "SERVICE",
    "SEXES",
    "SEX_LABELS",
    "STAGE_LABELS",
    "TALON_FORMATS",
    "TERMS_WARNING",
    "Figures",
    "HivError",
    "Registration",
    "certificate_facts",
    "certificate_pdf",
    "display_code",
    "draw_blood",
    "enter_result",
    "figures",
    "get_settings",
    "is_paid",
    "issue_certificate",
    "journal",
    "lab_queue",
    "list_tests",
    "normalise_code",
    "open_sample",
    "open_test",
    "print_journal",
    "print_talon",
    "record_post_test_counselling",
    "register",
    "save_settings",
    "stage_of",
    "view_test",
]

request_service.register_labels(SERVICE, steps=STEP_LABELS)
documents.register_kind(
    CERTIFICATE_KIND,
    CERTIFICATE_PREFIX,
    Bilingual(
        "Адамның иммун тапшылығы вирусына антиденелерді зерттеу туралы анықтама-сертификат",
        "Справка-сертификат об исследовании на антитела к ВИЧ",
    ),
    sealed=True,
)
documents.register_kind(
    TALON_KIND,
    TALON_PREFIX,
    Bilingual("АИТВ-ға тексерілу талоны", "Талон обследования на ВИЧ"),
    sealed=True,
)
registry_pending.register_retry_handler(SERVICE, resume_identity)
status.hide_service(SERVICE)
