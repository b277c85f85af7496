"""Staff pages of HIV testing: the counselling doctor registers under a personal code and keeps the journal,
the procedure-room nurse draws blood, prints the talon and hands the result over against the code, the
laboratory enters results by sample number, the admin sets the terms and the price.

Who may do what: the counselling doctor and the nurse open tests (list, one test, hand-over); only the
laboratory enters results and sees nothing but sample numbers; the head sees the figures, never a test.
Every look at a test is audited against its code by the service (the views pass current_actor())."""

from datetime import timedelta

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _

from app.auth import current_actor, roles_required
from app.blueprints.hiv_testing import desk_bp
from app.blueprints.hiv_testing.forms import CodeForm, RegistrationForm, ResultForm, SettingsForm
from app.channels import client_key
from app.core.clock import local_now
from app.core.inputs import search_text, to_day
from app.extensions import db
from app.htmx import redirect_after_step, render_page
from app.models import HivTest
from app.responses import document_response, pdf_response
from app.services import hiv_testing

TEST_ROLES = ("counselling_doctor", "procedure_nurse")
COUNSELLING_ROLES = ("counselling_doctor",)
NURSE_ROLES = ("procedure_nurse",)
LAB_ROLES = ("lab",)
FIGURES_ROLES = ("head", "counselling_doctor")
SETTINGS_ROLES = ("admin",)


@desk_bp.context_processor
def _labels() -> dict:
    return {
        "regime_labels": hiv_testing.REGIME_LABELS,
        "payer_labels": hiv_testing.PAYER_LABELS,
        "reason_labels": hiv_testing.REASON_LABELS,
        "result_labels": hiv_testing.RESULT_LABELS,
        "stage_labels": hiv_testing.STAGE_LABELS,
        "sex_labels": hiv_testing.SEX_LABELS,
        "stage_of": hiv_testing.stage_of,
        "display_code": hiv_testing.display_code,
        "terms_warning": hiv_testing.TERMS_WARNING,
    }


def _load(test_id: int) -> HivTest:
    test = db.session.get(HivTest, test_id)
    if test is None:
        abort(404)
    return test


# ---- lists ------------------------------------------------------------------------------------------------
@desk_bp.get("/")
@roles_required(*TEST_ROLES)
def list_tests():
    search = search_text(request.args.get("q"), limit=40)
    tests = hiv_testing.list_tests(search, actor=current_actor())
    return render_page(
        "hiv_testing/desk/list.html", "hiv_testing/desk/_list.html", tests=tests, search=search
    )


@desk_bp.get("/tests/<int:test_id>")
@roles_required(*TEST_ROLES)
def show_test(test_id: int):
    test = _load(test_id)
    hiv_testing.view_test(test, actor=current_actor())
    return render_page("hiv_testing/desk/test.html", None, test=test)


# ---- step 1: the counselling doctor ---------------------------------------------------------------------
def _registration(form: RegistrationForm) -> hiv_testing.Registration:
    paid = hiv_testing.is_paid(form.payer.data)
    return hiv_testing.Registration(
        regime=form.regime.data,
        payer=form.payer.data,
        reason=form.reason.data,
        pre_test_counselling=bool(form.pre_test_counselling.data),
        sex=form.sex.data or "",
        birth_year=form.birth_year.data,
        language=form.language.data,
        iin=form.iin.data if form.regime.data == "confidential" else "",
        payment_amount=form.payment_amount.data if paid else None,
        payment_receipt=form.payment_receipt.data if paid else "",
        payment_date=form.payment_date.data if paid else None,
    )


@desk_bp.route("/new", methods=["GET", "POST"])
@roles_required(*COUNSELLING_ROLES)
def register_test():
    form = RegistrationForm()
    settings = hiv_testing.get_settings()
    if request.method == "GET" and settings.price:
        form.payment_amount.data = settings.price
    if form.validate_on_submit():
        try:
            test = hiv_testing.register(_registration(form), actor=current_actor())
        except hiv_testing.HivError as error:
            form.iin.errors = [*form.iin.errors, str(error.message)]
        else:
            flash(_("Registered under the personal code %(code)s.", code=hiv_testing.display_code(test.code)))
            return redirect_after_step(url_for(".show_test", test_id=test.id))
    status = 422 if request.method == "POST" else 200
    return render_page("hiv_testing/desk/new.html", None, status=status, form=form, settings=settings)


# ---- step 2: the procedure-room nurse -------------------------------------------------------------------
@desk_bp.post("/tests/<int:test_id>/draw")
@roles_required(*NURSE_ROLES)
def draw_blood(test_id: int):
    test = _load(test_id)
    try:
        hiv_testing.draw_blood(test, actor=current_actor())
    except hiv_testing.HivError as error:
        flash(str(error.message), "error")
    return redirect_after_step(url_for(".show_test", test_id=test.id))


@desk_bp.get("/tests/<int:test_id>/talon.pdf")
@roles_required(*TEST_ROLES)
def print_talon(test_id: int):
    test = _load(test_id)
    talon_format = request.args.get("format", "a6")
    if talon_format not in hiv_testing.TALON_FORMATS:
        talon_format = "a6"
    try:
        document = hiv_testing.print_talon(test, talon_format, actor=current_actor())
    except hiv_testing.HivError as error:
        flash(str(error.message), "error")
        return redirect(url_for(".show_test", test_id=test.id), 303)
    return document_response(document, f"hiv-talon-{talon_format}.pdf")


# ---- step 3: the laboratory ------------------------------------------------------------------------------
def _lab_page(form: ResultForm, status: int = 200):
    queue = hiv_testing.lab_queue(actor=current_actor())
    return render_page("hiv_testing/desk/lab.html", None, status=status, form=form, queue=queue)


@desk_bp.get("/lab")
@roles_required(*LAB_ROLES)
def show_lab_queue():
    return _lab_page(ResultForm(formdata=None, sample=request.args.get("sample", "")[:40]))


@desk_bp.post("/lab")
@roles_required(*LAB_ROLES)
def enter_result():
    form = ResultForm()
    if form.validate_on_submit():
        try:
            test = hiv_testing.open_sample(form.sample.data, actor=current_actor(), client=client_key())
            hiv_testing.enter_result(test, form.result.data, actor=current_actor())
        except hiv_testing.HivError as error:  # refused before anything changed; counts and audit kept
            form.sample.errors = [*form.sample.errors, str(error.message)]
            return _lab_page(form)
        flash(_("Result entered for sample %(sample)s.", sample=test.sample_number))
        return redirect_after_step(url_for(".show_lab_queue"))
    return _lab_page(form, status=422)


# ---- step 4: the hand-over, only against the code --------------------------------------------------------
@desk_bp.get("/hand-over")
@roles_required(*TEST_ROLES)
def start_hand_over():
    return _hand_over_page(CodeForm(formdata=None))


def _hand_over_page(form: CodeForm, test=None, status: int = 200, *, error=None, done=None):
    return render_page(
        "hiv_testing/desk/hand_over.html",
        "hiv_testing/desk/_hand_over.html",
        form=form,
        test=test,
        status=status,
        error=error,
        done=done,
    )


def _test_by_code(form: CodeForm):
    if not form.validate_on_submit():
        return None
    try:
        return hiv_testing.open_test(form.code.data, actor=current_actor(), client=client_key())
    except hiv_testing.HivError as error:
        form.code.errors = [*form.code.errors, str(error.message)]
        return None


@desk_bp.post("/hand-over")
@roles_required(*TEST_ROLES)
def find_for_hand_over():
    form = CodeForm()
    test = _test_by_code(form)
    # A code that finds nothing is an answer, not a failed request: 200, so its count against the client's
    # limit and the audit entries are kept (a 4xx rolls the request's writes back).
    return _hand_over_page(form, test, status=200 if test or form.code.errors else 422)


@desk_bp.post("/hand-over/certificate")
@roles_required(*TEST_ROLES)
def issue_certificate():
    form = CodeForm()
    test = _test_by_code(form)
    if test is None:
        return _hand_over_page(form)
    try:
        hiv_testing.issue_certificate(test, actor=current_actor())
    except hiv_testing.HivError as error:  # refused before anything changed; the look at it stays audited
        return _hand_over_page(form, test, error=error.message)
    return _hand_over_page(form, test, done=_("Certificate issued. Print it and hand it over."))


@desk_bp.post("/hand-over/post-test")
@roles_required(*TEST_ROLES)
def record_post_test():
    form = CodeForm()
    test = _test_by_code(form)
    if test is None:
        return _hand_over_page(form)
    try:
        hiv_testing.record_post_test_counselling(test, actor=current_actor())
    except hiv_testing.HivError as error:  # refused before anything changed; the look at it stays audited
        return _hand_over_page(form, test, error=error.message)
    return _hand_over_page(
        form, test, done=_("Post-test counselling and the referral for confirmation are recorded.")
    )


@desk_bp.get("/tests/<int:test_id>/certificate.pdf")
@roles_required(*TEST_ROLES)
def print_certificate(test_id: int):
    test = _load(test_id)
    try:
        hiv_testing.certificate_pdf(test, actor=current_actor())
    except hiv_testing.HivError:
        abort(404)
    return document_response(test.certificate)


# ---- the journal and the figures ------------------------------------------------------------------------
def _period() -> tuple:
    today = local_now().date()
    start = to_day(request.args.get("start")) or today.replace(day=1)
    end = to_day(request.args.get("end")) or today
    if end < start:
        start, end = end, start
    if (end - start).days > 92:
        start = end - timedelta(days=92)
    return start, end


@desk_bp.get("/journal")
@roles_required(*COUNSELLING_ROLES)
def show_journal():
    start, end = _period()
    tests = hiv_testing.journal(start, end, actor=current_actor())
    return render_page(
        "hiv_testing/desk/journal.html", "hiv_testing/desk/_journal.html", tests=tests, start=start, end=end
    )


@desk_bp.get("/journal.pdf")
@roles_required(*COUNSELLING_ROLES)
def print_journal():
    start, end = _period()
    actor = current_actor()
    pdf = hiv_testing.print_journal(start, end, actor=actor, printed_by=actor.label)
    return pdf_response(pdf, f"hiv-journal-{start.isoformat()}-{end.isoformat()}.pdf")


@desk_bp.get("/figures")
@roles_required(*FIGURES_ROLES)
def show_figures():
    start, end = _period()
    return render_page(
        "hiv_testing/desk/figures.html", None, figures=hiv_testing.figures(start, end), start=start, end=end
    )


# ---- the admin's settings ----------------------------------------------------------------------------------
@desk_bp.route("/settings", methods=["GET", "POST"])
@roles_required(*SETTINGS_ROLES)
def edit_settings():
    settings = hiv_testing.get_settings()
    form = SettingsForm(obj=settings)
    if form.validate_on_submit():
        hiv_testing.save_settings(
            positive_term_days=form.positive_term_days.data,
            negative_term_days=form.negative_term_days.data,
            price=form.price.data,
            room=(form.room.data or "").strip(),
            hours_kk=(form.hours_kk.data or "").strip(),
            hours_ru=(form.hours_ru.data or "").strip(),
            actor=current_actor(),
        )
        flash(_("Settings saved."))
        return redirect_after_step(url_for(".edit_settings"))
    status = 422 if request.method == "POST" else 200
    return render_page("hiv_testing/desk/settings.html", None, status=status, form=form)
