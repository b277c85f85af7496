"""Start pages of the staff area, one per role: today's hours, the role's tools, and district facts."""

from dataclasses import dataclass

from flask import current_app, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.auth import roles_required, start_page_for
from app.blueprints.staff import bp
from app.services import clinic as clinic_service
from app.services.specialities import get_speciality


@dataclass(frozen=True)
class Tool:
    endpoint: str
    title: str
    description: str


# The links each start page offers. Add your page here when you build one: a link whose endpoint is not
# registered yet, or whose roles the signed-in person lacks, is left out, so listing it early is harmless.
START_PAGE_TOOLS: dict[str, list[Tool]] = {
    "registrar": [
        Tool(
            "desk_appointments.show_desk",
            _l("Appointments"),
            _l("Book, move or cancel a patient's appointment in person or by phone; the day's journal."),
        ),
        Tool(
            "desk_home_visits.show_journal",
            _l("Home calls"),
            _l("Take a call for the doctor to come home; the home-call journal with its answer deadlines."),
        ),
        Tool(
            "public.list_services",
            _l("Service passports"),
            _l("Terms, documents and refusal grounds of every service, to answer a visitor or a caller."),
        ),
        Tool(
            "complaints.file_desk_complaint",
            _l("Register a complaint"),
            _l("A written complaint handed in at the desk: its number, date and answer deadline."),
        ),
        Tool(
            "desk_attachment.list_queue",
            _l("Attachment to the clinic"),
            _l("Applications for attachment: take one in person, decide within a day, print the talon."),
        ),
        Tool(
            "certificates.desk_requests",
            _l("Information forms"),
            _l("TB, psychiatric and narcological register forms, issued after an identity check."),
        ),
        Tool(
            "desk_phc_certificates.new_request",
            _l("PHC certificates"),
            _l("Check the identity document or a proxy's power of attorney, then pass it to the doctor."),
        ),
        Tool(
            "desk_inpatient_extracts.show_queue",
            _l("Inpatient extracts"),
            _l("Hand over extracts signed and stamped in the day hospital, against the identity document."),
        ),
    ],
    "doctor": [
        Tool(
            "desk_appointments.show_visits",
            _l("My visits"),
            _l("Patients booked with you today; mark who came and who did not."),
        ),
        Tool(
            "desk_home_visits.show_route",
            _l("Home-call route list"),
            _l("Your home calls of the day by district and address; print it and mark each visit."),
        ),
        Tool(
            "desk_phc_certificates.show_queue",
            _l("PHC certificates"),
            _l("Compare with the register of attached population, examine, write the conclusion and sign."),
        ),
        Tool(
            "desk_inpatient_extracts.show_queue",
            _l("Inpatient extracts"),
            _l("Write and sign the discharge summary of a day-hospital patient."),
        ),
    ],
    "head": [
        Tool(
            "documents.find_document",
            _l("Issued documents"),
            _l("Find a form or talon by its number, open the stored PDF, revoke it with a reason."),
        ),
        Tool(
            "desk_attachment.show_population",
            _l("Attached population"),
            _l("People attached per district against the norms; recent attachments and refusals."),
        ),
        Tool(
            "desk_appointments.list_schedules",
            _l("Doctors' schedules"),
            _l("Weekly plans, sick days, training, leave and extra hours of every doctor."),
        ),
        Tool(
            "desk_appointments.show_visits",
            _l("My visits"),
            _l("Patients booked with you today; mark who came and who did not."),
        ),
        Tool(
            "public.list_services",
            _l("Service passports"),
            _l("The standards the clinic's services are measured against."),
        ),
        Tool(
            "desk_home_visits.show_journal",
            _l("Home calls"),
            _l("Take a call for the doctor to come home; the home-call journal with its answer deadlines."),
        ),
        Tool("staff.show_registrar_start", _l("Registry desk"), _l("What the registrars see and do.")),
        Tool(
            "monitoring.show_monitoring",
            _l("Monitoring of the services"),
            _l("Requests by channel, time per stage, deadlines kept, refusals, survey and complaints."),
        ),
        Tool(
            "complaints.list_complaints",
            _l("Complaints"),
            _l("Complaints assigned to the head, their deadlines and written answers."),
        ),
        Tool(
            "desk_urgent_care.show_journal",
            _l("Urgent care"),
            _l("The urgent-care dispatch journal: calls, teams, the 7-hour deadline and its compliance."),
        ),
        Tool(
            "desk_referrals.list_referrals",
            _l("Hospitalization referrals"),
            _l("Referrals through the Hospitalization Bureau by status and hospital; the Bureau's queue."),
        ),
        Tool(
            "desk_phc_certificates.show_register",
            _l("Register of issued certificates"),
            _l("PHC certificates issued in a period: number, date, patient, kind, purpose, doctor."),
        ),
        Tool(
            "desk_inpatient_extracts.show_journal",
            _l("Journal of issued extracts"),
            _l("Inpatient extracts issued in a period, printable."),
        ),
        Tool(
            "desk_hiv_testing.show_figures",
            _l("HIV testing figures"),
            _l("Tests, results and the laboratory's term kept, as counts only: never a code or a person."),
        ),
    ],
}


def _tools_for(page: str) -> list[dict]:
    tools = []
    for tool in START_PAGE_TOOLS.get(page, []):
        view = current_app.view_functions.get(tool.endpoint)
        if view is None:
            continue
        allowed = getattr(view, "allowed_roles", None)
        if allowed is not None and not current_user.has_role(*allowed):
            continue
        tools.append({"url": url_for(tool.endpoint), "title": tool.title, "description": tool.description})
    return tools


@bp.get("/")
@login_required
def show_start():
    return redirect(start_page_for(current_user))


@bp.get("/registrar")
@roles_required("registrar", "head", "admin")
def show_registrar_start():
    return render_template(
        "staff/registrar_start.html",
        today=clinic_service.today_at_clinic(),
        tools=_tools_for("registrar"),
        districts=clinic_service.list_districts(),
        doctors=clinic_service.district_doctors(),
        kinds=clinic_service.DISTRICT_KINDS,
    )


@bp.get("/doctor")
@roles_required("doctor", "head")
def show_doctor_start():
    district = current_user.district
    return render_template(
        "staff/doctor_start.html",
        today=clinic_service.today_at_clinic(),
        tools=_tools_for("doctor"),
        speciality=get_speciality(current_user.speciality),
        district=district,
        district_kind=clinic_service.DISTRICT_KINDS.get(district.kind) if district else None,
        patients_in_district=clinic_service.district_patient_counts().get(district.id, 0) if district else 0,
    )


@bp.get("/head")
@roles_required("head")
def show_head_start():
    return render_template(
        "staff/head_start.html",
        today=clinic_service.today_at_clinic(),
        tools=_tools_for("head"),
        districts=clinic_service.list_districts(),
        doctors=clinic_service.district_doctors(),
        patient_counts=clinic_service.district_patient_counts(),
        kinds=clinic_service.DISTRICT_KINDS,
    )
