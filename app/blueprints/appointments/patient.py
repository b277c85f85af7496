"""Patient booking (`bp`, /appointments/): IIN -> one-time code -> speciality -> doctor -> day -> slot ->
confirm -> talon.

Every step is a plain link or form that works without JavaScript; htmx swaps only the chooser (`#chooser`)
or the sign-in box (`#identify`), and the same URL renders the whole page for a normal request.
"""

import logging
from urllib.parse import urlencode

from flask import abort, flash, render_template, request, url_for
from flask_babel import gettext as _

from app.blueprints.appointments import bp
from app.blueprints.appointments.forms import BookingNumberForm, CodeForm, IinForm, SlotForm
from app.channels import current_channel
from app.core.actors import Actor
from app.core.i18n import current_language
from app.core.urls import safe_next_path
from app.htmx import is_htmx_request, redirect_after_step, render_page
from app.patient_auth import attachment_state, current_patient_iin, forget_attachment
from app.patient_sign_in import PatientSignIn, SecondWayIn
from app.responses import document_response, file_response
from app.services import appointments, patients

log = logging.getLogger(__name__)


def _redirect(endpoint: str, **values):
    """A finished step: 303 for a normal form, HX-Redirect for htmx (a full page load of the next step)."""
    return redirect_after_step(url_for(endpoint, **values))


def _current_patient():
    iin = current_patient_iin()
    return patients.find_patient(iin) if iin else None


# ---- identification ---------------------------------------------------------------------------------
def _booking_named(number_form: BookingNumberForm) -> tuple[str, str] | None:
    """The second way in: a booking's number names its patient, who then lands on that booking."""
    booking = appointments.find_by_number(number_form.number.data)
    if booking is None:
        number_form.number.errors.append(
            _("There is no booking with this number. Please check it, e.g. AP-2026-000123.")
        )
        return None
    return booking.patient.iin, url_for("appointments.show_booking", number=booking.number)


SIGN_IN = PatientSignIn(
    blueprint="appointments",
    start_endpoint="start_booking",
    landing_endpoint="appointments.choose_slot",
    page_template="appointments/start.html",
    fragment_template="appointments/_identify.html",
    iin_form=IinForm,
    code_form=CodeForm,
    is_signed_in=lambda: _current_patient() is not None,
    # Booking needs a clinic card: made from the state database when missing, or why it cannot be.
    check_confirmed=appointments.card_problem,
    second_way_in=SecondWayIn(
        form=BookingNumberForm, field="number", template_name="number_form", find=_booking_named
    ),
    follows_posted_next=True,
)


@bp.get("/")
def start_booking():
    """The sign-in box, or straight on to the chooser for someone already signed in."""
    return SIGN_IN.start()


@bp.post("/code")
def send_code():
    """A code to the phone on file (named by the IIN or by a booking's number)."""
    return SIGN_IN.send_code()


@bp.post("/code/check")
def check_code():
    """Confirm the code, make sure there is a clinic card, sign in and land."""
    return SIGN_IN.check_code()


@bp.post("/sign-out")
def sign_out():
    return SIGN_IN.sign_out()


# ---- choosing and booking ------------------------------------------------------------------------------
@bp.get("/choose")
def choose_slot():
    patient = _current_patient()
    if patient is None:
        return _redirect("appointments.start_booking")
    if is_htmx_request():  # a step inside the page: the page itself already asked the registry
        return _render_chooser(patient)
    state = attachment_state(patient)  # a recent "attached" is kept in the session (patient_auth)
    if state == "not_attached":
        return render_template("appointments/not_attached.html", patient=patient)
    return _render_chooser(patient, attachment_state=state)


def _chooser_values():
    """Where the chooser's steps come from: the links' query string, or the confirm form."""
    return request.args if request.method == "GET" else request.form


def _render_chooser(patient, *, notice=None, attachment_state="attached", status=200, form=None, **steps):
    choice = appointments.choice_from(_chooser_values(), patient=patient, online=True, notice=notice, **steps)
    form = form or SlotForm(formdata=None)
    return render_page(
        "appointments/choose.html",
        "appointments/_chooser.html",
        status=status,
        patient=patient,
        choice=choice,
        chooser=_chooser_settings(form=form),
        form=form,
        upcoming=appointments.bookings_of(patient.id, upcoming_only=True),
        registry_down=attachment_state == "unavailable",
    )


def _step_url(base: str):
    """Links of the chooser's steps: one url_for, then only the query string changes (hundreds per page)."""
    return lambda **params: f"{base}?{urlencode(params)}" if params else base


def _chooser_settings(number: str | None = None, *, form: SlotForm | None = None) -> dict:
    """Where the chooser's links and its confirm form go: a new booking (which asks for the reason for the
    visit in `form`), or moving booking `number`."""
    if number:
        return {
            "step_url": _step_url(url_for("appointments.choose_new_slot", number=number)),
            "confirm_url": url_for("appointments.move_booking", number=number),
            "confirm_label": _("Move my booking to this time"),
            "absence_labels": appointments.ABSENCE_REASONS,
        }
    return {
        "step_url": _step_url(url_for("appointments.choose_slot")),
        "confirm_url": url_for("appointments.create_booking"),
        "confirm_label": _("Book this time"),
        "absence_labels": appointments.ABSENCE_REASONS,
        "reason_form": form,
        "reason_hint": _(
            "Your condition in a few words: the illness, or what happened if it was an accident. The "
            "registry desk and the doctor will see it. At most %(count)s characters.",
            count=appointments.REASON_MAX_LENGTH,
        ),
    }


@bp.post("/book")
def create_booking():
    patient = _current_patient()
    if patient is None:
        return _redirect("appointments.start_booking")
    form = SlotForm()
    doctor = appointments.bookable_doctor(appointments.as_int(form.doctor.data), online=True)
    starts_at = appointments.parse_slot_key(form.slot.data)
    if not form.validate() or doctor is None or starts_at is None:
        return _render_chooser(
            patient,
            notice=_("Please choose a doctor and a time from the list."),
            speciality=doctor.speciality if doctor else None,
            doctor=doctor.id if doctor else None,
            day=starts_at.date().isoformat() if starts_at else None,
        )
    try:
        appointment = appointments.book_appointment(
            patient,
            doctor,
            starts_at,
            actor=Actor.patient(),
            channel=current_channel(),
            language=current_language(),
            reason=form.reason.data or "",
        )
    except appointments.NotAttached:
        forget_attachment()
        return render_template("appointments/not_attached.html", patient=patient)
    except appointments.ReasonTooLong as refused:
        # Nothing is booked; the same time and what was typed stay, with the message beside the field.
        form.reason.errors = [*form.reason.errors, refused.message]
        return _render_chooser(
            patient,
            form=form,
            speciality=doctor.speciality,
            doctor=doctor.id,
            day=starts_at.date().isoformat(),
            slot=form.slot.data,
        )
    except appointments.BookingError as refused:
        # Keep the speciality, doctor and day; drop only the slot that did not work.
        return _render_chooser(
            patient,
            notice=refused.message,
            speciality=doctor.speciality,
            doctor=doctor.id,
            day=starts_at.date().isoformat(),
            slot=None,
        )
    return _redirect("appointments.show_booking", number=appointment.number)


# ---- one booking -----------------------------------------------------------------------------------------
def _own_booking(number: str):
    """The booking `number` if it belongs to the signed-in patient; otherwise ask for the code first."""
    booking = appointments.find_by_number(number)
    if booking is None:
        abort(404)
    patient = _current_patient()
    if patient is None or patient.id != booking.patient_id:
        return booking, False
    return booking, True


def _ask_for_code(booking):
    return render_template(
        "appointments/start.html",
        form=IinForm(formdata=None),
        number_form=BookingNumberForm(formdata=None, number=booking.number),
        code_form=None,
        error=_(
            "To open booking %(number)s, confirm it is yours with a code sent to your phone.",
            number=booking.number,
        ),
    )


@bp.get("/<number>")
def show_booking(number: str):
    booking, own = _own_booking(number)
    if not own:
        return _ask_for_code(booking)
    return render_template(
        "appointments/booking.html",
        booking=booking,
        can_change=appointments.can_change_online(booking),
    )


@bp.get("/<number>/talon.pdf")
def download_talon(number: str):
    booking, own = _own_booking(number)
    if not own:
        return _ask_for_code(booking)
    if not booking.holds_slot:
        abort(404)
    document = appointments.talon_for(booking)
    return document_response(document, f"{booking.number}.pdf")


@bp.get("/<number>/calendar.ics")
def download_calendar(number: str):
    booking, own = _own_booking(number)
    if not own:
        return _ask_for_code(booking)
    if not booking.holds_slot:
        abort(404)
    return file_response(
        appointments.calendar_file(booking),
        content_type="text/calendar; charset=utf-8",
        filename=f"{booking.number}.ics",
        download=True,
    )


@bp.post("/<number>/cancel")
def cancel_booking(number: str):
    booking, own = _own_booking(number)
    if not own:
        return _ask_for_code(booking)
    try:
        appointments.cancel_appointment(
            booking, actor=Actor.patient(), channel=current_channel(), by_patient=True
        )
    except appointments.BookingError as refused:
        flash(str(refused.message), "error")
    else:
        flash(
            _("Booking %(number)s is cancelled. The time is free for other patients.", number=number),
            "success",
        )
    # Back to the page the cancel was asked from (the cabinet), else the booking's page.
    return redirect_after_step(
        safe_next_path(request.form.get("next"), url_for("appointments.show_booking", number=number))
    )


@bp.get("/<number>/move")
def choose_new_slot(number: str):
    booking, own = _own_booking(number)
    if not own:
        return _ask_for_code(booking)
    return _render_move_chooser(booking)


def _render_move_chooser(booking, *, notice=None, **steps):
    # The choosing is the desk's too (appointments.move_choice); what differs is the page, links and form.
    choice = appointments.move_choice(booking, _chooser_values(), online=True, notice=notice, **steps)
    return render_page(
        "appointments/move.html",
        "appointments/_chooser.html",
        booking=booking,
        patient=booking.patient,
        choice=choice,
        chooser=_chooser_settings(booking.number),
        form=SlotForm(formdata=None),
    )


@bp.post("/<number>/move")
def move_booking(number: str):
    booking, own = _own_booking(number)
    if not own:
        return _ask_for_code(booking)
    form = SlotForm()
    doctor = appointments.bookable_doctor(appointments.as_int(form.doctor.data), online=True)
    starts_at = appointments.parse_slot_key(form.slot.data)
    if not form.validate() or doctor is None or starts_at is None:
        return _render_move_chooser(booking, notice=_("Please choose a doctor and a time from the list."))
    try:
        appointments.move_appointment(
            booking, doctor, starts_at, actor=Actor.patient(), channel=current_channel(), by_patient=True
        )
    except appointments.BookingError as refused:
        return _render_move_chooser(
            booking, notice=refused.message, doctor=doctor.id, day=starts_at.date().isoformat(), slot=None
        )
    flash(_("Booking %(number)s is moved.", number=number), "success")
    return _redirect("appointments.show_booking", number=number)
