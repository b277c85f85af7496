"""The one catalogue of the 14 services: names, passports, deadlines, refusal grounds, and what is built.

The rules the code needs (prefix, deadlines, refusal grounds, where a built service starts) are below; each
passport's texts are data, one file a service in passports/ (kk and ru). Passport rows follow the 11-row
shape of the service standard in regulation 004 (ҚР ДСМ-51); the wording is taken from the regulations in
../shared/regulations (newest text wins: 004 > 001 > 000 > 002).
"""

import tomllib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from app.core.bilingual import Bilingual as T
from app.core.clock import ALMATY
from app.services.calendar import WorkingCalendar

PASSPORTS = Path(__file__).resolve().parent / "passports"

# The order of the passport rows, and their headings, in regulation 004's standard.
PASSPORT_ROWS = (
    ("provider", T("Көрсетілетін қызметті берушінің атауы", "Наименование услугодателя")),
    ("recipients", T("Көрсетілетін қызметті алушылар", "Услугополучатели")),
    ("channels", T("Ұсыну тәсілдері", "Способы предоставления")),
    ("term", T("Көрсету мерзімі", "Срок оказания")),
    ("form", T("Көрсету нысаны", "Форма оказания")),
    ("result", T("Көрсету нәтижесі", "Результат оказания")),
    ("fee", T("Төлем мөлшері", "Размер оплаты")),
    ("schedule", T("Жұмыс кестесі", "График работы")),
    ("documents", T("Қажетті құжаттар тізбесі", "Перечень необходимых документов")),
    ("refusal", T("Бас тарту негіздері", "Основания для отказа")),
    ("other", T("Өзге де талаптар", "Иные требования")),
)


@dataclass(frozen=True)
class DeadlineRule:
    """How the deadline of a request is computed from the moment it is received.

    kinds: "minutes" (calendar minutes, for services that answer automatically 24/7),
    "working_minutes" (minutes of the clinic's open time), "working_days" (close of the N-th working day),
    "legal_working_days" (the N-th working day in the labour-law sense, Monday to Friday less holidays: the
    terms of the Law «О государственных услугах»), "same_day" (by the clinic's closing time on the day of
    receipt when received before the same-day cut-off, two hours before closing; otherwise by the next working
    day's), "elapsed_hours" (N clock hours of elapsed time, night, weekend and holiday included: never the
    clinic's hours; for a department that works around the clock, like urgent care's 7 hours).
    `plus_minutes` adds calendar minutes after the hours (urgent care: 5 minutes to register the result).
    """

    kind: str
    amount: int = 0
    plus_minutes: int = 0

    @property
    def needs_calendar(self) -> bool:
        return self.kind not in ("minutes", "elapsed_hours")

    def apply(self, received_at: datetime, calendar: WorkingCalendar | None) -> datetime:
        if self.kind == "minutes":
            return received_at + timedelta(minutes=self.amount)
        if self.kind == "elapsed_hours":
            return received_at + timedelta(hours=self.amount, minutes=self.plus_minutes)
        if self.kind == "working_minutes":
            return calendar.add_working_minutes(received_at, self.amount)
        if self.kind == "working_days":
            return calendar.add_working_days(received_at, self.amount)
        if self.kind == "legal_working_days":
            return calendar.for_legal_terms().add_working_days(received_at, self.amount)
        if self.kind == "same_day":
            day = received_at.astimezone(calendar_tz()).date()
            cutoff = calendar.same_day_cutoff(day)
            if cutoff is not None and received_at < cutoff:
                return calendar.hours_on(day)[1]
            return calendar.hours_on(calendar.next_working_day(day))[1]
        raise ValueError(f"unknown deadline kind {self.kind!r}")


def calendar_tz():
    return ALMATY


@dataclass(frozen=True)
class Service:
    number: int  # its row in the regulations digest (shared/regulations/README.md)
    slug: str
    prefix: str  # of request numbers: AP-2026-000123
    name: T
    passport: dict[str, T]
    deadlines: dict[str, DeadlineRule]  # per channel; "*" applies to any channel not listed
    refusal_grounds: dict[str, T] = field(default_factory=dict)
    sources: str = ""  # which regulation files and items the passport quotes
    built: bool = False
    start_endpoint: str | None = None  # where a patient starts the service online, once built
    # Built, but only in person at the clinic: nothing to start online (HIV testing, results only in person).
    in_person: bool = False
    # Passport rows taken from the national standard of the service, not stated in the regional regulation.
    from_national_standard: frozenset[str] = frozenset()
    # A short name for kiosk tiles, chart labels and the SMS outbox (the passport's `[short_name]`); the legal
    # name stays on the service's own pages, documents and the cabinet's "Service" column.
    short: T | None = None

    @property
    def short_name(self) -> T:
        return self.short or self.name

    def deadline_rule(self, channel: str) -> DeadlineRule | None:
        return self.deadlines.get(channel) or self.deadlines.get("*")

    def deadline_for(self, channel: str, received_at: datetime, calendar: WorkingCalendar) -> datetime | None:
        rule = self.deadline_rule(channel)
        return rule.apply(received_at, calendar) if rule else None

    def passport_rows(self):
        """(heading, text, from the national standard?) in the standard's order."""
        return [
            (heading, self.passport[key], key in self.from_national_standard)
            for key, heading in PASSPORT_ROWS
        ]


# Refusal grounds shared by booking and home calls (regulations 000, 001 services 1-2, 002 services 1-2).
NO_IDENTITY_DOCUMENT = T(
    "Жеке басын куәландыратын құжаттың болмауы", "Отсутствие документа, удостоверяющего личность"
)
NOT_ATTACHED = T(
    "Пациенттің осы МСАК ұйымына бекітілмегені",
    "Пациент не прикреплён к данной организации ПМСП",
)

# Attachment refusal grounds: 002 «Прикрепление…» item 17 (001 annex 3 and 003 give none in Kazakh).
ATTACHMENT_GROUNDS = {
    "requirements_not_met": T(
        "Стандартта белгіленген талаптардың орындалмауы (жеке басын куәландыратын құжаттың болмауы)",
        "Невыполнение требований стандарта (отсутствие документа, удостоверяющего личность)",
    ),
    "free_choice_once_a_year": T(
        "МСАК ұйымын еркін таңдау кезінде жылына бір реттен жиі тіркелу",
        "Прикрепление чаще одного раза в год при свободном выборе организации ПМСП",
    ),
    "population_norm_exceeded": T(
        "МСАК ұйымына бекітілген халық санының нормативтерінен асып кетуі",
        "Превышение нормативов численности прикреплённого населения организации ПМСП",
    ),
    "attached_elsewhere": T(
        "Бірден артық МСАК ұйымына тіркелу",
        "Прикрепление к более чем одной организации ПМСП",
    ),
}

# 002 items 15 and 17: a request in electronic form is also not accepted for «несоответствии
# нормам, предусмотренным статьей 40 Закона Республики Казахстан от 11 января 2007 года «Об информатизации»»
# (an electronic request that is not a valid electronic document): a technical ground of the web and kiosk.
INFORMATIZATION_LAW = T(
    "«Ақпараттандыру туралы» 2007 жылғы 11 қаңтардағы Қазақстан Республикасы Заңының 40-бабында көзделген "
    "нормаларға сәйкес келмеуі (электрондық сұрау салу бойынша)",
    "Несоответствие нормам, предусмотренным статьей 40 Закона Республики Казахстан от 11 января 2007 года "
    "«Об информатизации» (по запросу в электронном формате)",
)
PORTAL_GROUNDS = {"informatization_law": INFORMATIZATION_LAW}

# Regulation 004 (ҚР ДСМ-51): the one ground of refusal of the three registry information services.
NO_CONSENT = T(
    "Сұрау салу жасалған адамның келісімінің болмауы",
    "Отсутствие согласия лица, в отношении которого сделан запрос",
)

DEBT_TO_PROVIDER = T(
    "Көрсетілетін қызметті алушының көрсетілетін қызметті берушіге қаржылық немесе өзге де берешегінің болуы "
    "(берешек өтелгенге дейін қызмет көрсету тоқтатыла тұрады)",
    "Финансовая или иная задолженность услугополучателя перед услугодателем (оказание услуги "
    "приостанавливается до её погашения)",
)


# ---- the services: what the code needs of each; their passport texts are data -----------------------------

# 002 item 14: «не более 10 минут при непосредственном обращении … 30 минут в электронном формате на
# портале». The lobby kiosk stands in the provider's own building, so a request there is a direct visit
# (непосредственное обращение): 10 minutes, like the desk and the phone; only the website has the portal's 30.
_BOOKING_DEADLINES = {
    "desk": DeadlineRule("working_minutes", 10),
    "phone": DeadlineRule("working_minutes", 10),
    "kiosk": DeadlineRule("working_minutes", 10),
    "web": DeadlineRule("minutes", 30),
}
_BOOKING_GROUNDS = {
    "no_identity_document": NO_IDENTITY_DOCUMENT,
    "not_attached": NOT_ATTACHED,
    **PORTAL_GROUNDS,
}
_REGISTRY_DEADLINES = {"*": DeadlineRule("minutes", 30)}  # 004 standard row 4: 30 minutes, portal 24/7
_ONE_WORKING_DAY = {"*": DeadlineRule("working_days", 1)}
_SAME_DAY = {"*": DeadlineRule("same_day")}
_ATTACHMENT_GROUNDS = {**ATTACHMENT_GROUNDS, **PORTAL_GROUNDS}
_NO_CONSENT = {"no_consent": NO_CONSENT}
_DEBT_SUSPENDS = {"debt_to_provider": DEBT_TO_PROVIDER}

# Each service: (number, slug, prefix, deadlines, refusal grounds, start endpoint once built). The number is
# its row in the regulations digest (shared/regulations/README.md) and names its passport file.
_SERVICE_RULES = (
    (1, "appointment", "AP", _BOOKING_DEADLINES, _BOOKING_GROUNDS, "appointments.start_booking"),
    # Same day; the answer itself is due within 10 minutes (desk, phone) or 30 minutes (portal).
    (2, "home-visit", "HV", _BOOKING_DEADLINES, _BOOKING_GROUNDS, "home_visits.start_call"),
    # 002 item 9: «в день обращения», requests taken «за 2 часа до окончания работы»; 003: «бір жұмыс күні
    # барысында». Decided (issue 24): the close of the day of receipt, or of the next working day after the
    # cut-off.
    (3, "attachment", "AT", _SAME_DAY, _ATTACHMENT_GROUNDS, "attachment.start_application"),
    (4, "tb-certificate", "TB", _REGISTRY_DEADLINES, _NO_CONSENT, "certificates.start_tb_form"),
    (
        5,
        "psychiatry-certificate",
        "PS",
        _REGISTRY_DEADLINES,
        _NO_CONSENT,
        "certificates.start_psychiatry_form",
    ),
    (6, "narcology-certificate", "NR", _REGISTRY_DEADLINES, _NO_CONSENT, "certificates.start_narcology_form"),
    # 001 annex 4 item 5: 20 + 10 minutes, 1 working day in the laboratory, 5 minutes to hand over. The same
    # item's "positive result – 3 working days, negative – 20 working days" are the clinic's settings (the
    # talon's result date; app/services/hiv_testing), shown on the passport page.
    (7, "hiv-testing", "HI", _ONE_WORKING_DAY, {}, None),
    # 001 annex 8 item 5: 4 steps x 15 minutes.
    (8, "inpatient-extract", "IE", {"*": DeadlineRule("working_minutes", 60)}, {}, None),
    # 001 annex 9 item 5: 5 + 20 minutes.
    (9, "phc-certificate", "PC", {"*": DeadlineRule("working_minutes", 25)}, {}, None),
    # 001 annex 10 item 5: 5 + 15 + 5 + 5 minutes.
    (10, "sick-leave-sheet", "SL", {"*": DeadlineRule("working_minutes", 30)}, {}, None),
    # 001 annex 11 item 5: 5 + 20 + 5 minutes.
    (11, "sick-leave-certificate", "SC", {"*": DeadlineRule("working_minutes", 30)}, {}, None),
    # 001 annex 12 item 5: 5 minutes to register the call, up to 7 hours to the visit, 5 minutes for the
    # result. Clock hours from the moment the call is received (decision item 4: never working minutes; a
    # Friday 19:00 call is examined by Saturday 02:00): the 7 hours and the result's 5 minutes. The first 5
    # minutes are the registration itself, which ends at the moment the deadline counts from.
    (12, "urgent-care", "UC", {"*": DeadlineRule("elapsed_hours", 7, plus_minutes=5)}, {}, None),
    # 001 annex 13 item 5: 15 minutes + 1 working day at the bureau + 15 minutes; the working day dominates.
    (13, "hospitalization-referral", "HR", _ONE_WORKING_DAY, {}, None),
    # 002 item 5 (line 1608): 15 working days from the commission's decision, a term of the Law «О
    # государственных услугах» kept by a college, not by the clinic's desk: Monday to Friday less holidays, as
    # the complaint's term, never the clinic's Saturdays. A duplicate: within one month (item 14).
    (14, "training-documents", "TD", {"*": DeadlineRule("legal_working_days", 15)}, _DEBT_SUSPENDS, None),
)


# ---- documents several staff members sign in turn (app.services.signoff) ----------------------------------


@dataclass(frozen=True)
class SignoffStep:
    """One step of a document's sign-off: who does it (any of `roles`), within how many working minutes of
    the step becoming current, what they confirm by signing, and the position printed under their name."""

    code: str
    roles: tuple[str, ...]
    minutes: int
    title: T  # the step, for queues, the status page and monitoring
    confirms: T  # what the signatory confirms
    position: T  # printed beside the signatory's name on the document


# 001 annex 9 items 5-6 (service 9): registrar 5 min, GP or district doctor 20 min.
_PHC_CERTIFICATE_STEPS = (
    SignoffStep(
        "documents_checked",
        ("registrar",),
        5,
        T("Құжаттарды қабылдау және тексеру", "Приём и проверка документов"),
        T(
            "Жеке басын куәландыратын құжат (өкілдің сенімхаты) тексерілді",
            "Документ, удостоверяющий личность (доверенность представителя), проверен",
        ),
        T("Медициналық тіркеуші", "Медицинский регистратор"),
    ),
    SignoffStep(
        "doctor_signed",
        ("doctor",),
        20,
        T(
            "Дәрігердің қабылдауы, БХТ-мен салыстыру, анықтаманы беру",
            "Приём врача, сверка с РПН, выдача справки",
        ),
        T(
            "Деректер бекітілген халық тіркелімімен салыстырылды, пациент қаралды, қорытынды жазылды",
            "Данные сверены с регистром прикреплённого населения, пациент осмотрен, заключение написано",
        ),
        T("Учаскелік дәрігер / жалпы практика дәрігері", "Участковый врач / врач общей практики"),
    ),
)
# 001 annex 8 items 5-6 (service 8): four steps of 15 minutes.
_INPATIENT_EXTRACT_STEPS = (
    SignoffStep(
        "summary_signed",
        ("doctor",),
        15,
        T("Шығарылу эпикризін ресімдеу және қол қою", "Оформление и подписание выписного эпикриза"),
        T("Шығарылу эпикризі ресімделді және қол қойылды", "Выписной эпикриз оформлен и подписан"),
        T("Емдеуші (кезекші) дәрігер", "Лечащий (дежурный) врач"),
    ),
    SignoffStep(
        "head_signed",
        ("head_of_department",),
        15,
        T("Бөлім меңгерушісінің қол қоюы", "Подписание заведующим отделением"),
        T(
            "Эпикриз тексерілді, тегі толық көрсетіліп қол қойылды",
            "Эпикриз проверен, подписан с указанием фамилии полностью",
        ),
        T("Бөлім меңгерушісі", "Заведующий отделением"),
    ),
    SignoffStep(
        "stamped",
        ("senior_nurse",),
        15,
        T("Мөртабанмен растау", "Заверение штампом"),
        T(
            "Көрсетілетін қызметті берушінің мөртабанымен расталды",
            "Заверено штампом услугодателя",
        ),
        T("Бөлімшенің аға мейірбикесі", "Старшая медицинская сестра отделения"),
    ),
    SignoffStep(
        "handed_over",
        ("registrar",),
        15,
        T("Үзінді көшірмені беру", "Выдача выписки"),
        T(
            "Үзінді көшірме жеке басын куәландыратын құжат бойынша берілді",
            "Выписка выдана по документу, удостоверяющему личность",
        ),
        T("Шығарылу орталығы", "Выписной центр (стол выписки)"),
    ),
)
# 001 annex 10 items 5-6 (service 10): registrar 5, attending doctor 15, head of department or deputy chief
# physician 5 (only when the length of incapacity needs it), the issuing desk 5. The medical advisory
# commission's step is not in the text (order 183 [GK]): a sheet past the clinic's commission threshold, or
# opened backdated beyond its setting, goes to it; it counts in no deadline of the regulation (0 minutes add
# nothing: its deadline is the step's start). Which of the two optional steps a sheet needs is the service's
# routing (app.services.sick_leave.rules), from the admin's settings.
_SICK_LEAVE_SHEET_STEPS = (
    SignoffStep(
        "documents_checked",
        ("registrar",),
        5,
        T("Құжаттарды қабылдау және тексеру", "Приём и проверка документов"),
        T("Жеке басын куәландыратын құжат тексерілді", "Документ, удостоверяющий личность, проверен"),
        T("Медициналық тіркеуші", "Медицинский регистратор"),
    ),
    SignoffStep(
        "doctor_signed",
        ("doctor",),
        15,
        T(
            "Емдеуші дәрігердің қабылдауы, БХТ-мен тексеру, парақты толтыру",
            "Приём лечащего врача, проверка по РПН, заполнение листа",
        ),
        T(
            "Деректер БХТ-да тексерілді, пациент қаралды, парақ толтырылып, жеке мөрмен расталды",
            "Данные проверены в РПН, пациент осмотрен, лист заполнен и заверен личной печатью",
        ),
        T("Емдеуші дәрігер", "Лечащий врач"),
    ),
    SignoffStep(
        "head_signed",
        ("head_of_department", "head"),
        5,
        T(
            "Бөлімше меңгерушісінің немесе бас дәрігер орынбасарының қол қоюы",
            "Подпись заведующего отделением или заместителя главного врача",
        ),
        T("Парақ тексерілді және қол қойылды", "Лист проверен и подписан"),
        T(
            "Бөлімше меңгерушісі / бас дәрігердің орынбасары",
            "Заведующий отделением / заместитель главного врача",
        ),
    ),
    SignoffStep(
        "commission_signed",
        ("head",),
        0,
        T("Дәрігерлік-консультациялық комиссияның шешімі", "Решение врачебно-консультационной комиссии"),
        T("ДКК шешімі хаттамамен ресімделді", "Решение ВКК оформлено протоколом"),
        T("ДКК төрағасы", "Председатель ВКК"),
    ),
    SignoffStep(
        "issued",
        ("issuing_desk",),
        5,
        T(
            "Мөр басу және тіркеу кітабына тіркеу",
            "Заверение печатью и регистрация в книге",
        ),
        T(
            "Ұйымның мөрі және бұрыштама мөртабаны басылды, парақ тіркеу кітабына тіркелді",
            "Поставлены печать организации и угловой штамп, лист зарегистрирован в книге",
        ),
        T("Жазылу орталығының медицина қызметкері", "Медицинский работник центра выписки"),
    ),
)
# 001 annex 11 items 5-6 (service 11): registrar 5, attending doctor 20, issuing desk 5.
_SICK_LEAVE_CERTIFICATE_STEPS = (
    _SICK_LEAVE_SHEET_STEPS[0],
    SignoffStep(
        "doctor_signed",
        ("doctor",),
        20,
        T(
            "Емдеуші дәрігердің қабылдауы, БХТ-мен тексеру, анықтаманы толтыру",
            "Приём лечащего врача, проверка по РПН, заполнение справки",
        ),
        T(
            "Деректер БХТ-да тексерілді, пациент қаралды, анықтама толтырылып, жеке мөрмен расталды",
            "Данные проверены в РПН, пациент осмотрен, справка заполнена и заверена личной печатью",
        ),
        T("Емдеуші дәрігер", "Лечащий врач"),
    ),
    SignoffStep(
        "issued",
        ("issuing_desk",),
        5,
        T("Анықтаманы тексеру және беру", "Проверка и выдача справки"),
        T(
            "Құжаттар тексерілді, анықтама мөрмен расталып тіркеу кітабына тіркелді",
            "Документы проверены, справка заверена печатью и зарегистрирована в книге",
        ),
        T("Жазылу орталығының медицина қызметкері", "Медицинский работник центра выписки"),
    ),
)
SIGNOFF_STEPS: dict[str, tuple[SignoffStep, ...]] = {
    "phc-certificate": _PHC_CERTIFICATE_STEPS,
    "inpatient-extract": _INPATIENT_EXTRACT_STEPS,
    "sick-leave-sheet": _SICK_LEAVE_SHEET_STEPS,
    "sick-leave-certificate": _SICK_LEAVE_CERTIFICATE_STEPS,
}


def signoff_steps(slug: str) -> tuple[SignoffStep, ...]:
    """The sign-off steps of a service, in order; () for a service whose documents one person issues."""
    return SIGNOFF_STEPS.get(slug, ())


# Services built for the clinic's own rooms only: the passport page says where and when, with no online start.
IN_PERSON_ONLY = frozenset({"hiv-testing", "sick-leave-sheet", "sick-leave-certificate"})


def _bilingual(value: dict) -> T:
    return T(value["kk"], value["ru"])


def _load_services() -> tuple[Service, ...]:
    """The services in the regulations' order, each with its passport read from passports/<NN>-<slug>.toml."""
    shared = {key: _bilingual(value) for key, value in _read_toml(PASSPORTS / "_shared.toml").items()}
    services = []
    for number, slug, prefix, deadlines, grounds, start_endpoint in _SERVICE_RULES:
        data = _read_toml(PASSPORTS / f"{number:02d}-{slug}.toml")
        rows = data["passport"]
        passport = {
            key: shared[rows[key][1:]] if isinstance(rows[key], str) else _bilingual(rows[key])
            for key, _heading in PASSPORT_ROWS
        }
        services.append(
            Service(
                number=number,
                slug=slug,
                prefix=prefix,
                name=_bilingual(data["name"]),
                passport=passport,
                deadlines=deadlines,
                refusal_grounds=grounds,
                sources=data["sources"],
                built=start_endpoint is not None or slug in IN_PERSON_ONLY,
                in_person=slug in IN_PERSON_ONLY,
                start_endpoint=start_endpoint,
                from_national_standard=frozenset(data.get("from_national_standard", ())),
                short=_bilingual(data["short_name"]) if "short_name" in data else None,
            )
        )
    return tuple(services)


def _read_toml(path: Path) -> dict:
    with path.open("rb") as handle:
        return tomllib.load(handle)


SERVICES: tuple[Service, ...] = _load_services()


# Not one of the 14 services: a written complaint about any of them (regulation 004, items 8-14). It is a
# service request all the same (number, status, deadline, event log), so the status page and monitoring
# follow it like the others; it has no passport page and is not surveyed.
#
# Its term (issue 24, fidelity review row 9): a complaint handed to the clinic, the provider that gave the
# service, is answered within 5 working days of registration (Law «О государственных услугах», art. 25, as
# amended; not among the texts in shared/regulations). The 15 working days of 004 item 12 («тіркелген күнінен
# бастап 15 (он бес) жұмыс күні ішінде») are the term of the authorised bodies of item 8, where the person
# may go next. Legal working days: Monday to Friday less public holidays (row 10), not the clinic's open
# Saturdays. A complaint registered before this rule keeps the deadline stored with it.
COMPLAINT_TERM_WORKING_DAYS = 5
COMPLAINT = Service(
    number=15,
    slug="complaint",
    prefix="CM",
    name=T("Шағым", "Жалоба"),
    passport={},
    deadlines={"*": DeadlineRule("legal_working_days", COMPLAINT_TERM_WORKING_DAYS)},
    sources="004 items 8-14; Law «О государственных услугах», art. 25",
    built=True,
)
# Every kind of service request: the 14 services and the complaint.
REQUEST_KINDS = (*SERVICES, COMPLAINT)


def all_services() -> tuple[Service, ...]:
    """The 14 services (passport pages, the kiosk, the survey); `get` also knows the complaint."""
    return SERVICES


def get(slug: str) -> Service:
    for service in REQUEST_KINDS:
        if service.slug == slug:
            return service
    raise KeyError(f"no service {slug!r} in the catalogue")


def by_prefix(prefix: str) -> Service:
    for service in REQUEST_KINDS:
        if service.prefix == prefix:
            return service
    raise KeyError(f"no service with prefix {prefix!r}")
