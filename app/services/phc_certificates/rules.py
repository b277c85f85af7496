"""Service 9, certificate from a PHC organisation (001 annex 9): the kinds of certificate, their own fields,
what the desk must record, and the errors.

The list of kinds is configurable (`PHC_CERTIFICATE_KINDS` in the config: codes in the order the desk offers
them); each kind has its own template in app/templates/documents/, isolated so a clinic can adjust one blank
without touching the others. The form number is printed only for the forms the text names (035-2/у, 079/у);
the clinic's free-form certificate («справка с организации ПМСП», the standard's annex form, not in our files)
prints none.
"""

from dataclasses import dataclass

from flask import current_app

from app.core.bilingual import Bilingual as T

SERVICE = "phc-certificate"
PRESENTERS = ("self", "proxy")
MAX_TEXT = 2000


@dataclass(frozen=True)
class KindField:
    name: str
    label: T
    long: bool = False


@dataclass(frozen=True)
class CertificateKind:
    code: str
    title: T  # printed as the document's heading
    template: str
    form_number: T | None = None  # printed only where the regulation names the form
    fields: tuple[KindField, ...] = ()


KINDS: dict[str, CertificateKind] = {
    kind.code: kind
    for kind in (
        CertificateKind(
            "phc",
            T("Медициналық-санитариялық алғашқы көмек ұйымынан анықтама", "Справка с организации ПМСП"),
            "documents/phc_certificate_phc.html",
        ),
        CertificateKind(
            "035-2",
            T("Медициналық анықтама", "Медицинская справка"),
            "documents/phc_certificate_035_2.html",
            form_number=T("№ 035-2/е нысан", "Форма № 035-2/у"),
            fields=(
                KindField("workplace", T("Оқу немесе жұмыс орны", "Место учёбы или работы")),
                KindField("period", T("Кезең", "Период")),
            ),
        ),
        CertificateKind(
            "079",
            T(
                "Сауықтыру лагеріне баратын оқушыға медициналық анықтама",
                "Медицинская справка на школьника, отъезжающего в оздоровительный лагерь",
            ),
            "documents/phc_certificate_079.html",
            form_number=T("№ 079/е нысан", "Форма № 079/у"),
            fields=(
                KindField("school", T("Мектеп, сынып", "Школа, класс")),
                KindField("camp", T("Лагерьдің атауы", "Название лагеря")),
                KindField(
                    "vaccinations", T("Профилактикалық екпелер", "Профилактические прививки"), long=True
                ),
                KindField(
                    "contacts",
                    T("Жұқпалы науқастармен байланыс", "Контакт с инфекционными больными"),
                ),
            ),
        ),
    )
}
DEFAULT_KINDS = ("phc", "035-2", "079")


def offered_kinds() -> list[CertificateKind]:
    """The kinds the desk offers, in the configured order (unknown codes are skipped)."""
    codes = current_app.config.get("PHC_CERTIFICATE_KINDS") or DEFAULT_KINDS
    return [KINDS[code] for code in codes if code in KINDS]


def kind_of(code: str) -> CertificateKind | None:
    return KINDS.get(code)


class CertificateError(Exception):
    """A desk or doctor action the rules refuse; `message` is translatable, `field` names the form field."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Reception:
    """What the registrar records at step 1."""

    kind: str
    purpose: str
    presented_by: str  # self | proxy
    identity_document: str
    proxy_name: str = ""
    proxy_iin: str = ""
    proxy_document_number: str = ""
    proxy_document_date: object = None  # date
