"""Staff views of the training centre. Who does what:
- the methodologist (training-centre staff) keeps courses, cohorts and trainees, records the commission's
  decision, prepares documents on their blanks, hands them over, suspends for a debt and registers duplicate
  applications;
- the deputy head for academic work may do the same, and signs;
- the head reads everything, decides duplicates (so may the deputy) and signs;
- an admin switches the module on in the clinic settings.
Switched off, every page but the switch answers 404 with a page that says so. Every look at and change of a
trainee's data is audited by the service function that does it (the views pass current_actor())."""

from functools import wraps

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app.auth import current_actor, roles_required
from app.blueprints.training import desk_bp
from app.blueprints.training.forms import (
    CohortForm,
    ConfirmForm,
    CourseForm,
    DecisionForm,
    DuplicateForm,
    HandOverForm,
    PrepareForm,
    SettingsForm,
    SuspendForm,
    TraineeForm,
)
from app.core.clock import local_now
from app.core.i18n import current_language
from app.forms import with_own_ids
from app.htmx import render_page
from app.responses import document_response, file_response, pdf_response
from app.services import staff_accounts, training

VIEW_ROLES = ("methodologist", "academic_deputy", "head")
CLERK_ROLES = ("methodologist", "academic_deputy")
DECIDE_ROLES = ("head", "academic_deputy")
WORKLIST_POLL_SECONDS = 60


@desk_bp.app_context_processor
def _training_centre() -> dict:
    """For the staff menu and the passport page: whether the module is on (read only when asked)."""
    return {"training_centre_on": training.is_enabled}


@desk_bp.context_processor
def _labels() -> dict:
    return {
        "kind_labels": training.PROGRAMME_KIND_LABELS,
        "state_labels": training.STATE_LABELS,
        "debt_labels": training.DEBT_KIND_LABELS,
        "receiver_labels": training.RECEIVER_LABELS,
        "state_of": training.state_of,
        "blank_label": training.blank_label,
        "may_work": lambda: current_user.has_role(*CLERK_ROLES),
        "may_decide": lambda: current_user.has_role(*DECIDE_ROLES),
    }


def module_on(view):
    """Below roles_required: a wrong role is refused first; an allowed one learns the module is off."""

    @wraps(view)
    def guarded(*args, **kwargs):
        if not training.is_enabled():
            return render_template("training/desk/off.html"), 404
        return view(*args, **kwargs)

    return guarded


def _refused(form, error: training.TrainingError) -> None:
    """The service's refusal beside its field, or above the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        flash(error.message, "error")


def _see_other(endpoint: str, **values):
    return redirect(url_for(endpoint, **values), 303)


# ---- the admin's switch ----------------------------------------------------------------------------------


@desk_bp.route("/settings", methods=["GET", "POST"])
@roles_required("admin")
def edit_settings():
    current = training.settings()
    if request.method == "GET":
        form = SettingsForm(formdata=None, obj=current)
        return render_template("training/desk/settings.html", form=form)
    form = SettingsForm()
    if not form.validate():
        return render_template("training/desk/settings.html", form=form), 422
    training.save_settings(
        is_enabled=form.is_enabled.data,
        is_bilingual=form.is_bilingual.data,
        duplicate_price=form.duplicate_price.data,
        actor=current_actor(),
    )
    flash(_("The training centre settings were saved."), "success")
    return _see_other("desk_training.edit_settings")


# ---- what is due and late --------------------------------------------------------------------------------


@desk_bp.get("/")
@roles_required(*VIEW_ROLES)
@module_on
def show_worklist():
    worklist = training.worklist(actor=current_actor())
    return render_page(
        "training/desk/worklist.html",
        "training/desk/_worklist.html",
        worklist=worklist,
        poll_seconds=WORKLIST_POLL_SECONDS,
        now=local_now(),
    )


# ---- courses, cohorts, trainees, the commission's decision -----------------------------------------------


def _courses_page(course_form=None, cohort_forms=None, status=200):
    courses = training.courses()
    cohort_forms = cohort_forms or {}
    return (
        render_template(
            "training/desk/courses.html",
            courses=courses,
            course_form=course_form or CourseForm(formdata=None),
            cohort_forms={
                course.id: with_own_ids(
                    cohort_forms.get(course.id) or CohortForm(formdata=None), f"course-{course.id}"
                )
                for course in courses
            },
        ),
        status,
    )


@desk_bp.get("/courses")
@roles_required(*VIEW_ROLES)
@module_on
def list_courses():
    return _courses_page()


@desk_bp.post("/courses")
@roles_required(*CLERK_ROLES)
@module_on
def create_course():
    form = CourseForm()
    if not form.validate():
        return _courses_page(course_form=form, status=422)
    training.create_course(
        programme=form.programme.data, kind=form.kind.data, hours=form.hours.data, actor=current_actor()
    )
    flash(_("The course was added."), "success")
    return _see_other("desk_training.list_courses")


@desk_bp.post("/courses/<int:course_id>/cohorts")
@roles_required(*CLERK_ROLES)
@module_on
def create_cohort(course_id: int):
    course = training.get_course(course_id) or abort(404)
    form = CohortForm()
    if form.validate():
        try:
            cohort = training.create_cohort(
                course,
                code=form.code.data,
                starts_on=form.starts_on.data,
                ends_on=form.ends_on.data,
                actor=current_actor(),
            )
        except training.TrainingError as error:
            _refused(form, error)
        else:
            return _see_other("desk_training.show_cohort", cohort_id=cohort.id)
    return _courses_page(cohort_forms={course.id: form}, status=422)


def _trainee_form(formdata=None) -> TraineeForm:
    form = TraineeForm(formdata=formdata) if formdata is not None else TraineeForm(formdata=None)
    form.staff.choices = [SelectChoice("", _("An outside person"))] + [
        SelectChoice(str(member.id), member.full_name) for member in staff_accounts.list_staff()
    ]
    return form


def _decision_form(cohort, formdata=None) -> DecisionForm:
    form = DecisionForm(formdata=formdata) if formdata is not None else DecisionForm(formdata=None)
    form.passed.choices = [
        SelectChoice(trainee.id, f"{trainee.full_name}, {trainee.iin}")
        for trainee in cohort.trainees
        if trainee.passed_decision_id is None
    ]
    return form


def _cohort_page(cohort, trainee_form=None, decision_form=None, status=200):
    training.open_cohort(cohort, actor=current_actor())
    return (
        render_template(
            "training/desk/cohort.html",
            cohort=cohort,
            documents={trainee.id: training.documents_of(trainee) for trainee in cohort.trainees},
            trainee_form=trainee_form or _trainee_form(),
            decision_form=decision_form or _decision_form(cohort),
        ),
        status,
    )


@desk_bp.get("/cohorts/<int:cohort_id>")
@roles_required(*VIEW_ROLES)
@module_on
def show_cohort(cohort_id: int):
    return _cohort_page(training.get_cohort(cohort_id) or abort(404))


@desk_bp.post("/cohorts/<int:cohort_id>/trainees")
@roles_required(*CLERK_ROLES)
@module_on
def add_trainee(cohort_id: int):
    cohort = training.get_cohort(cohort_id) or abort(404)
    form = _trainee_form(request.form)
    if form.validate():
        staff = staff_accounts.get_staff(int(form.staff.data)) if form.staff.data else None
        try:
            training.add_trainee(
                cohort,
                full_name=form.full_name.data,
                iin=form.iin.data,
                workplace=form.workplace.data or "",
                staff=staff,
                actor=current_actor(),
            )
        except training.TrainingError as error:
            _refused(form, error)
        else:
            flash(_("The trainee was added."), "success")
            return _see_other("desk_training.show_cohort", cohort_id=cohort.id)
    return _cohort_page(cohort, trainee_form=form, status=422)


@desk_bp.post("/cohorts/<int:cohort_id>/decisions")
@roles_required(*CLERK_ROLES)
@module_on
def record_decision(cohort_id: int):
    cohort = training.get_cohort(cohort_id) or abort(404)
    form = _decision_form(cohort, request.form)
    if form.validate():
        try:
            _decision, opened = training.record_decision(
                cohort,
                number=form.number.data,
                decided_on=form.decided_on.data,
                passed_ids=form.passed.data or [],
                actor=current_actor(),
            )
        except training.TrainingError as error:
            _refused(form, error)
        else:
            flash(
                _("The decision was recorded; documents to prepare: %(count)d.", count=len(opened)), "success"
            )
            return _see_other("desk_training.show_worklist")
    return _cohort_page(cohort, decision_form=form, status=422)


# ---- one document: prepare, hand over, suspend, duplicates -----------------------------------------------


def _load(document_id: int):
    return training.get_document(document_id) or abort(404)


def _prepare_form(document, formdata=None) -> PrepareForm:
    form = PrepareForm(formdata=formdata) if formdata is not None else PrepareForm(formdata=None)
    head_roles = "head" if document.is_duplicate else None
    form.signed_by.choices = [SelectChoice(0, "—")] + [
        SelectChoice(member.id, member.full_name) for member in training.signers(head_roles)
    ]
    form.deputy_signed_by.choices = [SelectChoice(0, "—")] + [
        SelectChoice(member.id, member.full_name) for member in training.signers("academic_deputy")
    ]
    return form


def _document_page(document, status=200, **forms):
    training.open_document(document, actor=current_actor())
    defaults = {
        "prepare_form": _prepare_form(document),
        "hand_over_form": HandOverForm(formdata=None),
        "suspend_form": SuspendForm(formdata=None),
        "duplicate_form": DuplicateForm(formdata=None, applied_on=local_now().date()),
        "confirm_form": ConfirmForm(formdata=None),
    }
    defaults.update(forms)
    return (
        render_template(
            "training/desk/document.html",
            entry=document,
            state=training.state_of(document),
            duplicates=[row for row in training.documents_of(document.trainee) if row.is_duplicate],
            price=training.settings().duplicate_price,
            **defaults,
        ),
        status,
    )


def _signer(staff_id: int | None):
    return staff_accounts.get_staff(staff_id) if staff_id else None


@desk_bp.get("/documents/<int:document_id>")
@roles_required(*VIEW_ROLES)
@module_on
def show_document(document_id: int):
    return _document_page(_load(document_id))


@desk_bp.post("/documents/<int:document_id>/prepare")
@roles_required(*CLERK_ROLES)
@module_on
def prepare_document(document_id: int):
    document = _load(document_id)
    form = _prepare_form(document, request.form)
    if form.validate():
        try:
            training.prepare(
                document,
                blank_series=form.blank_series.data,
                blank_number=form.blank_number.data,
                signed_by=_signer(form.signed_by.data),
                deputy_signed_by=_signer(form.deputy_signed_by.data),
                sealed=form.sealed.data,
                actor=current_actor(),
            )
        except training.TrainingError as error:
            _refused(form, error)
        else:
            flash(_("The document is ready for issue."), "success")
            return _see_other("desk_training.show_document", document_id=document.id)
    return _document_page(document, 422, prepare_form=form)


@desk_bp.post("/documents/<int:document_id>/hand-over")
@roles_required(*CLERK_ROLES)
@module_on
def hand_over(document_id: int):
    document = _load(document_id)
    form = HandOverForm()
    if form.validate():
        try:
            training.hand_over(
                document,
                received_by=form.received_by.data,
                proxy_name=form.proxy_name.data or "",
                power_of_attorney=form.power_of_attorney.data or "",
                journal_signed=form.journal_signed.data,
                actor=current_actor(),
            )
        except training.TrainingError as error:
            _refused(form, error)
        else:
            flash(_("Handed over; the signature is in the accounting journal."), "success")
            return _see_other("desk_training.show_journal")
    return _document_page(document, 422, hand_over_form=form)


@desk_bp.post("/documents/<int:document_id>/suspend")
@roles_required(*CLERK_ROLES)
@module_on
def suspend(document_id: int):
    document = _load(document_id)
    form = SuspendForm()
    if form.validate():
        try:
            training.suspend(
                document, debt_kind=form.debt_kind.data, reason=form.reason.data, actor=current_actor()
            )
        except training.TrainingError as error:
            _refused(form, error)
        else:
            flash(_("The service is suspended until the debt is settled."), "success")
            return _see_other("desk_training.show_document", document_id=document.id)
    return _document_page(document, 422, suspend_form=form)


@desk_bp.post("/documents/<int:document_id>/lift")
@roles_required(*CLERK_ROLES)
@module_on
def lift_suspension(document_id: int):
    document = _load(document_id)
    form = ConfirmForm()
    if form.validate():
        try:
            training.lift_suspension(document, actor=current_actor())
        except training.TrainingError as error:
            flash(error.message, "error")
        else:
            flash(_("The suspension is lifted; the clock runs again."), "success")
            return _see_other("desk_training.show_document", document_id=document.id)
    return _document_page(document, 422)


@desk_bp.post("/documents/<int:document_id>/duplicates")
@roles_required(*CLERK_ROLES)
@module_on
def apply_for_duplicate(document_id: int):
    original = _load(document_id)
    form = DuplicateForm()
    if form.validate():
        try:
            duplicate = training.apply_for_duplicate(
                original,
                applied_on=form.applied_on.data,
                loss_circumstances=form.loss_circumstances.data or "",
                notice_title=form.notice_title.data or "",
                notice_number=form.notice_number.data or "",
                notice_date=form.notice_date.data,
                payment_document=form.payment_document.data or "",
                payment_amount=form.payment_amount.data,
                payment_date=form.payment_date.data,
                actor=current_actor(),
            )
        except training.TrainingError as error:
            _refused(form, error)
        else:
            flash(
                _("The application for a duplicate is registered; the head decides within one month."),
                "success",
            )
            return _see_other("desk_training.show_document", document_id=duplicate.id)
    return _document_page(original, 422, duplicate_form=form)


@desk_bp.post("/documents/<int:document_id>/approve")
@roles_required(*DECIDE_ROLES)
@module_on
def approve_duplicate(document_id: int):
    document = _load(document_id)
    form = ConfirmForm()
    if form.validate():
        try:
            training.approve_duplicate(document, actor=current_actor())
        except training.TrainingError as error:
            flash(error.message, "error")
        else:
            flash(_("The duplicate is approved."), "success")
            return _see_other("desk_training.show_document", document_id=document.id)
    return _document_page(document, 422)


@desk_bp.get("/documents/<int:document_id>/pdf")
@roles_required(*VIEW_ROLES)
@module_on
def print_document(document_id: int):
    document = _load(document_id)
    if document.document is None:
        abort(404)
    training.open_document(document, actor=current_actor())
    return document_response(document.document)


# ---- the accounting journal ------------------------------------------------------------------------------


@desk_bp.get("/journal")
@roles_required(*VIEW_ROLES)
@module_on
def show_journal():
    entries = training.journal_entries(actor=current_actor())
    return render_template(
        "training/desk/journal.html",
        columns=training.JOURNAL_COLUMNS,
        rows=[(entry, training.journal_row(entry)) for entry in entries],
    )


@desk_bp.get("/journal.pdf")
@roles_required(*VIEW_ROLES)
@module_on
def print_journal():
    pdf = training.journal_pdf(actor=current_actor(), language=current_language())
    return pdf_response(pdf, "training-journal.pdf")


@desk_bp.get("/journal.csv")
@roles_required(*VIEW_ROLES)
@module_on
def export_journal():
    entries = training.journal_entries(actor=current_actor(), printed=True)
    body = training.journal_csv(
        [training.journal_row(entry) for entry in entries],
        [str(column) for column in training.JOURNAL_COLUMNS],
        semicolon=request.args.get("sep") == "semicolon",
    )
    return file_response(
        body, content_type="text/csv; charset=utf-8", filename="training-journal.csv", download=True
    )
