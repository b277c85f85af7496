"""Demo documents signed at the clinic for `flask seed-demo`: PHC certificates (service 9) and inpatient
extracts (service 8, the day hospital module switched on), in their various states:

- certificates: waiting for the doctor now; late at the doctor's step (received yesterday); sent back to the
  registrar (the power of attorney had expired); issued, one of each kind (free form, 035-2/у, 079/у);
- extracts: at the head of department's step, late at the senior nurse's, at the discharge desk, sent back to
  the doctor, and issued with all four signatures.

The second registrar does the desk's steps, so the account a visitor signs in as has no audit entries but
its own. Idempotent: nothing is added when the demo has any PHC certificate already.
"""

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from app.core.actors import Actor
from app.core.clock import ALMATY, frozen_clock, local_now
from app.extensions import db
from app.models import PhcCertificate
from app.services import inpatient_extracts, modules, patients, phc_certificates, staff_accounts
from app.services.calendar import get_calendar

PROXY = {
    "presented_by": "proxy",
    "proxy_name": "Ахметов Айдар Серікұлы",
    "proxy_iin": "850401300175",
    "proxy_document_number": "N-2026/118",
    "proxy_document_date": date(2026, 11, 2),
}


def _actor(username: str) -> Actor:
    return Actor.of_staff(staff_accounts.find_by_username(username))


def _previous_working_morning() -> datetime:
    calendar = get_calendar()
    day = local_now().date() - timedelta(days=1)
    while not calendar.is_working_day(day):
        day -= timedelta(days=1)
    return datetime.combine(day, time(10, 0), ALMATY)


def _reception(kind: str, **overrides) -> phc_certificates.Reception:
    values = {
        "kind": kind,
        "purpose": "Талап етілетін жерге ұсыну үшін",
        "presented_by": "self",
        "identity_document": "Жеке куәлік № 04" + kind.replace("-", "")[:3].rjust(3, "0") + "5678",
    }
    values.update(overrides)
    return phc_certificates.Reception(**values)


def _summary(card: str, main: str, discharged_on: date) -> inpatient_extracts.DischargeSummary:
    return inpatient_extracts.DischargeSummary(
        card_number=card,
        department="Күндізгі стационар / Дневной стационар",
        admitted_on=discharged_on - timedelta(days=9),
        discharged_on=discharged_on,
        main_diagnosis=main,
        other_diagnoses=("I10",),
        examinations="ЖҚА, ЖЗА, кеуде қуысының рентгенографиясы / ОАК, ОАМ, рентгенография ОГК",
        treatment="Цефтриаксон 1,0 г 7 күн / 7 дней",
        condition="Қанағаттанарлық / Удовлетворительное",
        recommendations="Учаскелік дәрігердің бақылауы / Наблюдение участкового врача",
    )


def seed_signed_documents_demo(people: list[dict]) -> int:
    """Add the demo certificates and extracts; returns how many requests were added."""
    if db.session.scalar(select(PhcCertificate.id).limit(1)):
        return 0
    # People 21-32 of the demo: the low patient ids are the ones tests of the audit log look for.
    cards = [patients.find_patient(person["iin"]) for person in people[20:32]]
    cards = [card for card in cards if card is not None]
    registrar, doctor, gp = _actor("registrar2"), _actor("therapist1"), _actor("gp")
    headdept, nurse, desk = _actor("headdept"), _actor("seniornurse"), registrar
    modules.switch(inpatient_extracts.MODULE, True, actor=_actor("admin"))
    added = 0
    yesterday = _previous_working_morning()
    today = local_now().date()

    # ---- PHC certificates ----
    phc_certificates.receive(cards[0], _reception("phc"), actor=registrar)  # waiting for the doctor now
    with frozen_clock(yesterday):  # late at the doctor's step
        phc_certificates.receive(cards[1], _reception("035-2"), actor=registrar)
    with frozen_clock(yesterday + timedelta(minutes=30)):  # sent back: the power of attorney had expired
        request = phc_certificates.receive(cards[2], _reception("phc", **PROXY), actor=registrar)
    with frozen_clock(yesterday + timedelta(minutes=42)):
        phc_certificates.send_back(
            request, reason="Сенімхаттың мерзімі өткен / Срок доверенности истёк", actor=doctor
        )
    for offset, (card, kind, fields) in enumerate(
        (
            (cards[3], "phc", {}),
            (cards[4], "035-2", {"workplace": "ҚазҰУ, 2-курс / КазНУ, 2 курс", "period": "2026-2027"}),
            (
                cards[5],
                "079",
                {"school": "№ 12 мектеп, 5 «А»", "camp": "«Балдәурен»", "contacts": "Жоқ / Нет"},
            ),
        )
    ):
        with frozen_clock(yesterday + timedelta(hours=2, minutes=20 * offset)):
            request = phc_certificates.receive(
                card, _reception(kind), actor=registrar, language="ru" if offset else "kk"
            )
        with frozen_clock(yesterday + timedelta(hours=2, minutes=20 * offset + 12)):
            phc_certificates.sign_as_doctor(
                request,
                conclusion="Дені сау. / Здоров(а).",
                fields=fields,
                actor=gp if offset == 2 else doctor,
            )
    added += 6

    # ---- inpatient extracts ----
    discharged = min(today, yesterday.date())
    inpatient_extracts.write_summary(cards[6], _summary("ДС-2026/301", "J18.9", discharged), actor=doctor)
    with frozen_clock(yesterday + timedelta(hours=1)):  # late at the senior nurse's step
        request = inpatient_extracts.write_summary(
            cards[7], _summary("ДС-2026/302", "K29.7", discharged), actor=doctor
        )
    with frozen_clock(yesterday + timedelta(hours=1, minutes=10)):
        inpatient_extracts.sign_as_head(request, surname="Сейітов", actor=headdept)
    with frozen_clock(yesterday + timedelta(hours=3)):  # at the discharge desk
        request = inpatient_extracts.write_summary(
            cards[8], _summary("ДС-2026/303", "I11.9", discharged), actor=doctor
        )
    inpatient_extracts.sign_as_head(request, surname="Сейітов", actor=headdept)
    inpatient_extracts.stamp(request, stamped=True, actor=nurse)
    with frozen_clock(yesterday + timedelta(hours=4)):  # sent back to the doctor by the head
        request = inpatient_extracts.write_summary(
            cards[9], _summary("ДС-2026/304", "E11.9", discharged), actor=doctor
        )
    with frozen_clock(yesterday + timedelta(hours=4, minutes=9)):
        inpatient_extracts.send_back(
            request,
            reason="Қосымша диагнозды нақтылаңыз / Уточните сопутствующий диагноз",
            to_step=None,
            actor=headdept,
        )
    with frozen_clock(yesterday + timedelta(hours=5)):  # issued with all four signatures
        request = inpatient_extracts.write_summary(
            cards[10], _summary("ДС-2026/305", "J15.9", discharged), actor=doctor
        )
    for minutes, step in ((11, "head"), (24, "stamp"), (38, "hand")):
        with frozen_clock(yesterday + timedelta(hours=5, minutes=minutes)):
            if step == "head":
                inpatient_extracts.sign_as_head(request, surname="Сейітов", actor=headdept)
            elif step == "stamp":
                inpatient_extracts.stamp(request, stamped=True, actor=nurse)
            else:
                inpatient_extracts.hand_over(
                    request,
                    identity_document="Жеке куәлік № 045551234",
                    handed_to=cards[10].full_name,
                    actor=desk,
                )
    added += 5
    db.session.flush()
    return added
