"""/staff/monitoring: the head's (and admins') report on the services, as a page, a print and a CSV file.

The page is a dashboard (issue 14): the headline figures and the charts first, the tables behind tabs
(`?tab=`, swapped by htmx; "all" shows every table, for printing). It presents what
app.services.monitoring computes and computes nothing of its own but the charts' bars.
"""

from dataclasses import dataclass

from flask import render_template, request, stream_with_context
from flask_babel import format_percent
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from app.auth import current_actor, roles_required
from app.blueprints.monitoring import bp
from app.blueprints.monitoring.forms import PeriodForm
from app.core.clock import local_now
from app.htmx import render_page
from app.models.requests import CHANNELS
from app.responses import file_response
from app.services import monitoring, survey
from app.services.requests import channel_label, status_label

ROLES = ("head", "admin")
# The tables behind the dashboard's tabs, in order; the first is open unless another is asked for.
TABS = {
    "services": _l("By service"),
    "stages": _l("Time per stage"),
    "signoff": _l("Sign-off steps"),
    "overdue": _l("Overdue"),
    "refusals": _l("Refusals"),
    "complaints": _l("Complaints"),
    "all": _l("All tables"),
}
# The stage chart shows the slowest stages; every stage is in the table.
STAGE_BARS = 8
LABEL_LENGTH = 40


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str  # what is printed at the end of the bar
    full_label: str = ""  # the whole label, when `label` is shortened


def _read_filter() -> tuple[PeriodForm, monitoring.Period | None]:
    today = local_now().date()
    default = monitoring.Period.this_month(today)
    args = request.args or MultiDict(
        {"date_from": default.start.isoformat(), "date_to": default.end.isoformat()}
    )
    form = PeriodForm(formdata=args)
    form.fill_choices()
    if not form.validate():
        return form, None
    period = monitoring.Period(form.date_from.data, form.date_to.data)
    try:
        monitoring.check_period(period)
    except monitoring.PeriodError as error:
        form.date_to.errors = [*form.date_to.errors, str(error.message)]
        return form, None
    return form, period


@bp.get("/staff/monitoring")
@roles_required(*ROLES)
def show_monitoring():
    form, period = _read_filter()
    if period is None:
        return render_template("monitoring/show.html", form=form, report=None), 422
    report = monitoring.open_report(period, form.service_slug, actor=current_actor())
    tab = request.args.get("tab", "")
    return render_page(
        "monitoring/show.html",
        "monitoring/_tab.html",
        form=form,
        report=report,
        charts=_charts(report),
        tabs=TABS,
        tab=tab if tab in TABS else next(iter(TABS)),
    )


@bp.get("/staff/monitoring.csv")
@roles_required(*ROLES)
def export_monitoring_csv():
    form, period = _read_filter()
    if period is None:
        errors = "; ".join(str(error) for errors in form.errors.values() for error in errors)
        return errors, 422, {"Content-Type": "text/plain; charset=utf-8"}
    report = monitoring.open_report(period, form.service_slug, actor=current_actor(), as_csv=True)
    slug = report.service.slug if report.service else "all"
    filename = f"monitoring-{slug}-{period.start.isoformat()}-{period.end.isoformat()}.csv"
    return file_response(
        stream_with_context(
            monitoring.iter_report_csv(report, delimiter=";" if request.args.get("sep") == ";" else ",")
        ),
        content_type="text/csv; charset=utf-8",
        filename=filename,
        download=True,
    )


def _percent(value: float | None) -> str:
    return "—" if value is None else format_percent(value, "#,##0.#%")


def _short_labels(bars: list[Bar]) -> list[Bar]:
    """Labels short enough for the chart and never two alike: a long one keeps its start and its end (the
    stage's steps differ at the end), the full label stays in the chart's tooltip and in the tables."""
    short, seen = [], set()
    for bar in bars:
        label = str(bar.label)
        if len(label) > LABEL_LENGTH:
            label = f"{label[: LABEL_LENGTH - 16].rstrip()}…{label[-15:].lstrip()}"
        while label in seen:
            label = f"{label} ·"
        seen.add(label)
        short.append(Bar(label, bar.value, bar.text, str(bar.label)))
    return short


def _charts(report: monitoring.MonitoringReport) -> dict[str, list[Bar]]:
    """The bars of each chart: the template draws them, every value also appears in a table beside it."""
    totals = report.channel_totals
    slowest = sorted(report.stages, key=lambda timing: timing.median_seconds, reverse=True)[:STAGE_BARS]
    charts = {
        "channels": [Bar(channel_label(c), totals[c], str(totals[c])) for c in CHANNELS],
        "in_time": [
            Bar(str(row.service.name), (row.share_in_time or 0) * 100, _percent(row.share_in_time))
            for row in report.services
            if row.answered
        ],
        "stages": [
            Bar(
                f"{timing.service.short_name}: {timing.label}",
                timing.median_seconds,
                monitoring.format_duration(timing.median_seconds),
            )
            for timing in slowest
        ],
        "refusals": [
            Bar(f"{refusal.service.short_name}: {refusal.ground_name}", refusal.count, str(refusal.count))
            for refusal in report.refusals
        ],
    }
    for result in report.survey:
        charts[f"survey_{result.question}"] = [
            Bar(str(survey.RATING_LABELS[rating]), count, str(count))
            for rating, count in result.counts.items()
        ]
    return {name: _short_labels(bars) for name, bars in charts.items()}


@bp.context_processor
def _helpers():
    return {
        "percent": _percent,
        "duration": monitoring.format_duration,
        "channel_label": channel_label,
        "status_label": status_label,
        "rating_labels": survey.RATING_LABELS,
        "channels": CHANNELS,
    }
