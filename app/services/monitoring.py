"""Monitoring of the services for the head (regulation 004, items 6-7; complaints items 8-12; survey 003).

All figures of one report cover the requests *received* in a period (local Asia/Almaty days, both ends
included), for one service or all of them:

- requests by channel;
- time per stage: a stage is the time between two consecutive events of one request's log, named
  "from_step -> to_step"; its median and 95th percentile use linear interpolation between the closest
  ranks (the usual definition, numpy's default), in seconds. Every request received in the period
  counts, whatever its status now, so a booking cancelled after its answer keeps its answer stages; the
  cancellation ends a stage of its own ("... -> booking_cancelled") that mixes with none of them;
- answered within the deadline: of the requests answered (completed or refused) that have a deadline,
  the share with completed_at <= deadline_at. A request completed and later cancelled (a booking the
  patient gave up, a home call called off after the window was given) was answered all the same: it counts
  here by the moment it was answered, which cancelling does not move (app.services.requests.cancel);
  a request cancelled before its answer counts neither here nor as a refusal;
- refusals by the regulation ground;
- survey answers given in the period, per question (anonymous: counted, never linked);
- complaints registered in the period. A complaint is a service request too (catalogue slug "complaint"), so
  it counts in every figure above like the services do; its own section repeats its figures, with the
  open and overdue ones.

The overdue list and the open/overdue complaint counts are "right now", whatever the period. The words of
statuses, channels and steps are the request kernel's (app.services.requests).
"""

import csv
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, select

from app.core.actors import Actor
from app.core.clock import ALMATY, now
from app.extensions import db
from app.models import ServiceRequest
from app.models.requests import CHANNELS, OPEN_STATUSES
from app.services import catalogue, monitoring_sql, survey
from app.services import requests as request_service
from app.services.audit import audit
from app.services.catalogue import Service

# The labels are the request kernel's; these names stay importable from here.
from app.services.requests import STEP_LABELS as STEP_LABELS
from app.services.requests import channel_label, step_label, was_completed_clause

MAX_PERIOD_DAYS = 366
OVERDUE_LIST_LIMIT = 200


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time.min, ALMATY).astimezone(UTC)

    @property
    def end_at(self) -> datetime:
        """The first moment after the period."""
        return datetime.combine(self.end + timedelta(days=1), time.min, ALMATY).astimezone(UTC)

    @classmethod
    def this_month(cls, today: date) -> "Period":
        return cls(today.replace(day=1), today)


class PeriodError(ValueError):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def check_period(period: Period) -> None:
    if period.end < period.start:
        raise PeriodError(_l("The end of the period is before its start."))
    if (period.end - period.start).days >= MAX_PERIOD_DAYS:
        raise PeriodError(_l("Choose a period of at most %(days)s days.", days=MAX_PERIOD_DAYS))


# ---- statistics ---------------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    """Linear interpolation between the closest ranks: rank = (n - 1) * fraction over the sorted values."""
    if not values:
        raise ValueError("percentile of no values")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * fraction
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


# ---- the report ---------------------------------------------------------------------------------------


@dataclass
class ServiceFigures:
    service: Service
    by_channel: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CHANNELS, 0))
    answered: int = 0
    answered_in_time: int = 0

    @property
    def total(self) -> int:
        return sum(self.by_channel.values())

    @property
    def share_in_time(self) -> float | None:
        return self.answered_in_time / self.answered if self.answered else None


@dataclass(frozen=True)
class StageTiming:
    service: Service
    stage: str  # "from_step -> to_step"
    count: int
    median_seconds: float
    p95_seconds: float

    @property
    def label(self) -> str:
        before, after = self.stage.split(" -> ")
        return f"{step_label(before, self.service.slug)} → {step_label(after, self.service.slug)}"


@dataclass(frozen=True)
class SignoffStepTiming:
    """One step of a document signed in turn (app.services.signoff): how long it waited for its signature,
    from the moment it became current, and the share signed within the step's own time."""

    service: Service
    step: str
    count: int
    median_seconds: float
    p95_seconds: float
    in_time: int

    @property
    def label(self) -> str:
        return step_label(self.step, self.service.slug)

    @property
    def share_in_time(self) -> float:
        return self.in_time / self.count


@dataclass(frozen=True)
class RefusalCount:
    service: Service
    ground: str
    count: int

    @property
    def ground_name(self) -> str:
        name = self.service.refusal_grounds.get(self.ground)
        return str(name) if name is not None else self.ground


@dataclass(frozen=True)
class OverdueRequest:
    number: str
    service: Service
    channel: str
    status: str
    deadline_at: datetime
    overdue_by: timedelta


@dataclass
class MonitoringReport:
    period: Period
    service: Service | None
    generated_at: datetime
    services: list[ServiceFigures]
    stages: list[StageTiming]
    signoff_steps: list[SignoffStepTiming]
    refusals: list[RefusalCount]
    overdue: list[OverdueRequest]
    survey: list[survey.QuestionResult]
    complaints: request_service.RequestCounts

    @property
    def channel_totals(self) -> dict[str, int]:
        return {channel: sum(row.by_channel[channel] for row in self.services) for channel in CHANNELS}

    @property
    def total_requests(self) -> int:
        return sum(row.total for row in self.services)

    @property
    def answered(self) -> int:
        return sum(row.answered for row in self.services)

    @property
    def answered_in_time(self) -> int:
        return sum(row.answered_in_time for row in self.services)

    @property
    def share_in_time(self) -> float | None:
        return self.answered_in_time / self.answered if self.answered else None


def open_report(
    period: Period, service_slug: str | None = None, *, actor: Actor, as_csv: bool = False
) -> MonitoringReport:
    """The report as a head or admin opens it (on screen or as CSV), the look written to the audit log."""
    report = build_report(period, service_slug)
    service = report.service.slug if report.service else "all"
    detail = f"{period.start.isoformat()}..{period.end.isoformat()} service={service}"
    audit(actor, "view", "monitoring", detail=f"csv {detail}" if as_csv else detail)
    return report


def build_report(period: Period, service_slug: str | None = None) -> MonitoringReport:
    check_period(period)
    service = catalogue.get(service_slug) if service_slug else None
    conditions = [ServiceRequest.created_at >= period.start_at, ServiceRequest.created_at < period.end_at]
    if service is not None:
        conditions.append(ServiceRequest.service == service.slug)
    return MonitoringReport(
        period=period,
        service=service,
        generated_at=now(),
        services=_service_figures(conditions),
        stages=_stage_timings(period, service),
        signoff_steps=_signoff_step_timings(conditions),
        refusals=_refusals(conditions),
        overdue=_overdue(service),
        survey=survey.results(period.start, period.end, service.slug if service else None),
        complaints=request_service.counts(catalogue.COMPLAINT.slug, period.start_at, period.end_at),
    )


def _known_service(slug: str) -> Service | None:
    try:
        return catalogue.get(slug)
    except KeyError:
        return None


def _service_figures(conditions) -> list[ServiceFigures]:
    rows: dict[str, ServiceFigures] = {}

    def row_for(slug: str) -> ServiceFigures | None:
        if slug not in rows:
            service = _known_service(slug)
            if service is None:
                return None
            rows[slug] = ServiceFigures(service=service)
        return rows[slug]

    # One pass over the period (from ix_service_request_period_figures alone): per service and channel,
    # whether answered (with a deadline and a completion) and whether by the deadline.
    answered = case(
        (
            and_(
                ServiceRequest.deadline_at.is_not(None),
                ServiceRequest.completed_at.is_not(None),
                was_completed_clause() | (ServiceRequest.status == "refused"),
            ),
            1,
        ),
        else_=0,
    )
    in_time = ServiceRequest.completed_at <= ServiceRequest.deadline_at
    keys = (ServiceRequest.service, ServiceRequest.channel, answered, in_time)
    counted = db.session.execute(
        select(*keys, func.count(ServiceRequest.id)).where(*conditions).group_by(*keys)
    ).all()
    for slug, channel, was_answered, by_deadline, count in counted:
        row = row_for(slug)
        if row is None:
            continue
        if channel in row.by_channel:
            row.by_channel[channel] += count
        if was_answered:
            row.answered += count
            if by_deadline:
                row.answered_in_time += count
    return sorted(rows.values(), key=lambda row: row.service.number)


def _stage_timings(period: Period, service: Service | None) -> list[StageTiming]:
    """Computed in the database (app.services.monitoring_sql): the history is never read into Python."""
    timings, first_position = [], {}
    slug = service.slug if service is not None else None
    for found in monitoring_sql.stage_distributions(period.start_at, period.end_at, slug):
        slug, stage = found.key
        service = _known_service(slug)
        if service is None:
            continue
        first_position[(slug, stage)] = found.first_position
        timings.append(
            StageTiming(
                service=service,
                stage=stage,
                count=found.count,
                median_seconds=found.median_seconds,
                p95_seconds=found.p95_seconds,
            )
        )
    timings.sort(key=lambda t: (t.service.number, first_position[(t.service.slug, t.stage)], t.stage))
    return timings


def _signoff_step_timings(conditions) -> list[SignoffStepTiming]:
    """Per service and sign-off step: signatures given (send-backs are not signatures), the time from the
    step becoming current to its signature, and how many came within the step's deadline."""
    timings = []
    for found in sorted(monitoring_sql.signoff_distributions(conditions), key=lambda found: found.key):
        slug, _position, step = found.key
        service = _known_service(slug)
        if service is None:
            continue
        timings.append(
            SignoffStepTiming(
                service=service,
                step=step,
                count=found.count,
                median_seconds=found.median_seconds,
                p95_seconds=found.p95_seconds,
                in_time=found.in_time,
            )
        )
    timings.sort(key=lambda t: t.service.number)
    return timings


def _refusals(conditions) -> list[RefusalCount]:
    rows = db.session.execute(
        select(ServiceRequest.service, ServiceRequest.refusal_ground, func.count(ServiceRequest.id))
        .where(*conditions, ServiceRequest.status == "refused")
        .group_by(ServiceRequest.service, ServiceRequest.refusal_ground)
    ).all()
    found = []
    for slug, ground, count in rows:
        service = _known_service(slug)
        if service is not None:
            found.append(RefusalCount(service=service, ground=ground or "", count=count))
    found.sort(key=lambda r: (r.service.number, -r.count, r.ground))
    return found


def _overdue(service: Service | None) -> list[OverdueRequest]:
    moment = now()
    query = select(ServiceRequest).where(
        ServiceRequest.status.in_(OPEN_STATUSES), ServiceRequest.deadline_at < moment
    )
    if service is not None:
        query = query.where(ServiceRequest.service == service.slug)
    found = []
    for request in db.session.scalars(query.order_by(ServiceRequest.deadline_at).limit(OVERDUE_LIST_LIMIT)):
        known = _known_service(request.service)
        if known is not None:
            found.append(
                OverdueRequest(
                    number=request.number,
                    service=known,
                    channel=request.channel,
                    status=request.status,
                    deadline_at=request.deadline_at,
                    overdue_by=moment - request.deadline_at,
                )
            )
    return found


# ---- presentation helpers shared by the page and the CSV ------------------------------------------------


def format_duration(seconds: float) -> str:
    """Short, human: "45 s", "12 min 5 s", "3 h 20 min", "2 d 4 h"."""
    total = int(round(seconds))
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return _("%(days)s d %(hours)s h", days=days, hours=hours)
    if hours:
        return _("%(hours)s h %(minutes)s min", hours=hours, minutes=minutes)
    if minutes:
        return _("%(minutes)s min %(seconds)s s", minutes=minutes, seconds=secs)
    return _("%(seconds)s s", seconds=secs)


CSV_DELIMITERS = (",", ";")


def report_csv(report: MonitoringReport, delimiter: str = ",") -> str:
    """The whole CSV file as one string (see iter_report_csv)."""
    return "".join(iter_report_csv(report, delimiter))


class _Line:
    """A file-like object for csv.writer that hands back the line just written."""

    def __init__(self):
        self.text = ""

    def write(self, text: str) -> None:
        self.text = text


def iter_report_csv(report: MonitoringReport, delimiter: str = ",") -> Iterator[str]:
    """The report as CSV (labels in the current language, times in seconds, shares as fractions), line by
    line: the page streams it (issue 22), so no copy of the whole file is held.

    Columns: section, service, item, measure, value. A byte-order mark lets spreadsheet programs read the
    Cyrillic text as UTF-8. `delimiter` ";" is for Excel with Russian or Kazakh regional settings, which
    opens a comma-separated file in one column (issue 14).
    """
    line = _Line()
    writer = csv.writer(line, delimiter=delimiter if delimiter in CSV_DELIMITERS else ",")
    yield "\ufeff"
    for row in _csv_rows(report):
        writer.writerow(row)
        yield line.text


def _csv_rows(report: MonitoringReport) -> Iterator[list]:
    yield [_("Section"), _("Service"), _("Item"), _("Measure"), _("Value")]
    period = _("Period")
    yield [period, "", "", _("from"), report.period.start.isoformat()]
    yield [period, "", "", _("to"), report.period.end.isoformat()]

    section = _("Requests by channel")
    for row in report.services:
        for channel in CHANNELS:
            yield (
                [
                    section,
                    str(row.service.name),
                    channel_label(channel),
                    _("requests"),
                    row.by_channel[channel],
                ]
            )
    section = _("Answered within the deadline")
    for row in report.services:
        name = str(row.service.name)
        yield [section, name, "", _("answered"), row.answered]
        yield [section, name, "", _("within the deadline"), row.answered_in_time]
        share = row.share_in_time
        yield [section, name, "", _("share"), "" if share is None else f"{share:.4f}"]
    section = _("Time per stage")
    for timing in report.stages:
        name = str(timing.service.name)
        yield [section, name, timing.stage, _("count"), timing.count]
        yield [section, name, timing.stage, _("median, seconds"), f"{timing.median_seconds:.1f}"]
        yield ([section, name, timing.stage, _("95th percentile, seconds"), f"{timing.p95_seconds:.1f}"])
    section = _("Time per sign-off step")
    for timing in report.signoff_steps:
        name = str(timing.service.name)
        yield [section, name, timing.step, _("count"), timing.count]
        yield [section, name, timing.step, _("median, seconds"), f"{timing.median_seconds:.1f}"]
        yield ([section, name, timing.step, _("95th percentile, seconds"), f"{timing.p95_seconds:.1f}"])
        yield [section, name, timing.step, _("share"), f"{timing.share_in_time:.4f}"]
    section = _("Refusals by ground")
    for refusal in report.refusals:
        yield ([section, str(refusal.service.name), refusal.ground_name, _("refusals"), refusal.count])
    section = _("Overdue requests now")
    for item in report.overdue:
        deadline = item.deadline_at.astimezone(ALMATY).strftime("%Y-%m-%d %H:%M")
        yield [section, str(item.service.name), item.number, _("deadline"), deadline]
    section = _("Satisfaction survey")
    for result in report.survey:
        for rating, count in result.counts.items():
            yield [section, "", str(result.text), str(survey.RATING_LABELS[rating]), count]
    section = _("Complaints")
    figures = report.complaints
    for label, value in (
        (_("registered in the period"), figures.received),
        (_("answered"), figures.answered),
        (_("answered by their deadline"), figures.answered_in_time),
        (_("open now"), figures.open_now),
        (_("overdue now"), figures.overdue_now),
    ):
        yield [section, "", label, _("complaints"), value]
