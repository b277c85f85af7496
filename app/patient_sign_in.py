"""The patient sign-in the patient services share: IIN -> one-time code to the phone on file -> confirm.

A service describes only what is its own in a PatientSignIn (its page and sign-in box templates and extra
values, where a confirmed person lands, what it checks once the code is confirmed, a second way in), and
declares the four routes in its own patient.py, each a one-line view calling the object, so every URL a
service serves can be read in its files:

    GET  /            <start_endpoint>  .start()       the sign-in box, or straight on for someone signed in
    POST /code        send_code         .send_code()   a code to the phone on file; on failure a message
    POST /code/check  check_code        .check_code()  confirm the code, sign in and land; a wrong code
                                                       keeps the IIN
    POST /sign-out    sign_out          .sign_out()

Between sending and confirming, the session holds the IIN waiting for its code and the page to land on,
under `<blueprint>_pending_iin` and `<blueprint>_pending_next`.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask import flash, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from app.channels import client_key
from app.core.i18n import current_language
from app.core.iin import InvalidIin, parse_iin
from app.core.urls import safe_next_path
from app.htmx import redirect_after_step, render_page
from app.patient_auth import current_patient_iin, request_sign_in_code, sign_in_patient, sign_out_patient
from app.services import otp, patient_identity


@dataclass(frozen=True)
class SecondWayIn:
    """Something else than an IIN that names the person (a booking number), in a form of its own.

    The form is told apart from the IIN form by the posted field `field`, and templates get it as
    `template_name`. `find(form)` returns the person's IIN and the page to land on after the sign-in, or
    None after adding to the form why it found nobody.
    """

    form: type[FlaskForm]
    field: str
    template_name: str
    find: Callable[[FlaskForm], tuple[str, str] | None]


def _anyone_signed_in() -> bool:
    return current_patient_iin() is not None


def _no_values() -> dict:
    return {}


@dataclass(frozen=True)
class PatientSignIn:
    """One service's patient sign-in. Endpoints: `landing_endpoint` in full ("appointments.choose_slot"),
    `start_endpoint` without the blueprint ("start_booking")."""

    blueprint: str
    start_endpoint: str
    landing_endpoint: str
    page_template: str
    fragment_template: str  # the sign-in box (`#identify`), which the page includes and htmx swaps
    iin_form: type[FlaskForm]
    code_form: type[FlaskForm]
    # Values every render of the page needs besides the forms (home visits: the day a call is for).
    page_values: Callable[[], dict] = _no_values
    # Whether the start page can send the visitor straight on (appointments also needs the clinic card).
    is_signed_in: Callable[[], bool] = _anyone_signed_in
    # Checked once the code is confirmed, before signing in: why this person cannot go on, or None.
    check_confirmed: Callable[[str], str | None] | None = None
    second_way_in: SecondWayIn | None = None
    # True: the IIN form may post `next`, the page to land on, and each code request lands afresh (on it or
    # on the landing page). False: the person lands on a page the service remembered with
    # remember_next_page() before asking them to sign in, or else on the landing page.
    follows_posted_next: bool = False
    # A service whose sign-in box is the first steps of a flow on the landing page itself (information forms:
    # IIN, code, then "for whom" in the same box) answers a confirmed code with that page in place, not a
    # redirect to it. A person who is to land on another page (remember_next_page) is still sent there.
    lands_in_place: Callable[[], ResponseReturnValue] | None = None

    @property
    def pending_iin_key(self) -> str:
        return f"{self.blueprint}_pending_iin"

    @property
    def pending_next_key(self) -> str:
        return f"{self.blueprint}_pending_next"

    # ---- the views ------------------------------------------------------------------------------------
    def start(self):
        if self.is_signed_in():
            return redirect(url_for(self.landing_endpoint))
        # A fresh start lands on the landing page, not on a page remembered by an earlier visit.
        session.pop(self.pending_next_key, None)
        return self.render_box()

    def send_code(self):
        form = self.iin_form()
        other_form = self.second_way_in.form() if self.second_way_in else None
        iin, named_landing = None, None
        if other_form is not None and request.form.get(self.second_way_in.field) is not None:
            if other_form.validate():
                found = self.second_way_in.find(other_form)
                if found is not None:
                    iin, named_landing = found
        elif form.validate():
            try:
                iin = parse_iin(form.iin.data).iin
            except InvalidIin as invalid:
                form.iin.errors.append(invalid.message)
        kept = {self.second_way_in.template_name: other_form} if self.second_way_in else {}
        error = None
        if iin is not None:
            sent = request_sign_in_code(iin, ip=client_key(), language=current_language())
            error = sent.error
            if error is None:
                session[self.pending_iin_key] = iin
                self._keep_landing(named_landing)
                return self.render_box(form=form, code_form=self.code_form(formdata=None), **kept)
        return self.render_box(form=form, error=error, **kept)

    def check_code(self):
        iin = session.get(self.pending_iin_key)
        if not iin:
            flash(_("Your session has expired. Please enter your IIN again."), "warning")
            return redirect_after_step(self._start_url())
        code_form = self.code_form()
        error = None
        if code_form.validate():
            try:
                patient_identity.confirm_sign_in(iin, code_form.code.data)
            except otp.OtpError as problem:
                error = problem.message
            else:
                error = self.check_confirmed(iin) if self.check_confirmed else None
                if error is None:
                    sign_in_patient(iin)
                    session.pop(self.pending_iin_key, None)
                    landing = session.pop(self.pending_next_key, None)
                    target = safe_next_path(landing, url_for(self.landing_endpoint))
                    if self.lands_in_place is not None and target == url_for(self.landing_endpoint):
                        return self.lands_in_place()
                    return redirect_after_step(target)
        return self.render_box(form=self.iin_form(formdata=None, iin=iin), code_form=code_form, error=error)

    def sign_out(self):
        sign_out_patient()
        session.pop(self.pending_iin_key, None)
        session.pop(self.pending_next_key, None)
        return redirect(self._start_url(), 303)

    # ---- for the service's own views --------------------------------------------------------------------
    def render_box(self, *, status: int = 200, **values):
        """The service's page with the sign-in box (the box alone for htmx); unnamed forms start empty."""
        if "form" not in values:
            values["form"] = self.iin_form(formdata=None)
        if self.second_way_in and self.second_way_in.template_name not in values:
            values[self.second_way_in.template_name] = self.second_way_in.form(formdata=None)
        values.setdefault("code_form", None)
        return render_page(
            self.page_template, self.fragment_template, status=status, **self.page_values(), **values
        )

    def remember_next_page(self, target: str) -> None:
        """Land on `target` after the sign-in: a page of the service that asked the person to sign in."""
        session[self.pending_next_key] = target

    def _keep_landing(self, named_landing: str | None) -> None:
        if named_landing is None and self.follows_posted_next:
            named_landing = safe_next_path(request.form.get("next"), url_for(self.landing_endpoint))
        if named_landing is not None:
            session[self.pending_next_key] = named_landing
        else:
            session.setdefault(self.pending_next_key, url_for(self.landing_endpoint))

    def _start_url(self) -> str:
        return url_for(f"{self.blueprint}.{self.start_endpoint}")
