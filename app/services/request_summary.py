"""What a request gave the person ("what you got"), for the status page, in each service's own words.

One explicit hook: a service module registers one function for its catalogue slug at import time,
`register("home-visit", visit_summary)`, the way it registers its registry retry handler. The function
takes the ServiceRequest and returns a `Summary` (or None when there is nothing to say yet), with its
texts already in the current language. The status page asks `summary_for(request)` and renders whatever
comes back with one template, whatever the service.

A second hook says what happened to the person so far, in their words (`register_progress`): a booking is
"Booked" until the visit, then "Visit done"; a home call "Doctor assigned", then "Visit done"; an information
form "Result ready". The regulation's status (a booking is "completed" the moment it is made: the journal
entry is the service) stays what monitoring counts; patient pages show the progress, and the survey waits
until `delivered` (the visit took place), so nobody is asked to rate a visit that has not happened.

Who may see it is not the function's business: app.services.status shows a summary only to the request's
subject or applicant who proved the code or is signed in; staff pages never ask for it.
"""

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from app.core.transaction_cache import remember, remembered
from app.extensions import db
from app.models import ServiceRequest


@dataclass(frozen=True)
class Fact:
    label: str
    value: str


@dataclass(frozen=True)
class Action:
    """Something the person may do with the request from their cabinet or status page (move, cancel), as an
    endpoint taking `number`. A `post` action is a button in a form; `confirm` is the question asked first."""

    label: str
    endpoint: str
    method: str = "get"
    confirm: str = ""


@dataclass(frozen=True)
class Summary:
    title: str = ""  # "Your booking", "The doctor's visit"; the page says "What you got" without one
    facts: tuple[Fact, ...] = ()
    # One sentence under the facts: what to bring, that the booking is cancelled, where the result is.
    notes: tuple[str, ...] = ()
    # A page of the service where the person can do more (the booking page: talon, move, cancel), as an
    # endpoint taking `number`; the status page builds the URL.
    link_endpoint: str | None = None
    link_label: str = ""
    # What the button to the request's result document says ("Read the answer"); "View result" without one.
    document_label: str = ""
    # What the person may do with the request now, each where the service allows it.
    actions: tuple[Action, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.facts or self.notes)


SummaryFunction = Callable[[ServiceRequest], Summary | None]
_functions: dict[str, SummaryFunction] = {}


def register(service_slug: str, function: SummaryFunction) -> None:
    _functions[service_slug] = function


def summary_for(request: ServiceRequest) -> Summary | None:
    function = _functions.get(request.service)
    if function is None:
        return None
    summary = function(request)
    return summary if summary else None


@dataclass(frozen=True)
class Progress:
    """What happened to the person so far, for patient pages: `label` in their words, and whether the thing
    they waited for has happened (`delivered`: the visit took place, the form was issued)."""

    label: str
    delivered: bool = True


ProgressFunction = Callable[[ServiceRequest], Progress | None]
_progress_functions: dict[str, ProgressFunction] = {}


def register_progress(service_slug: str, function: ProgressFunction) -> None:
    _progress_functions[service_slug] = function


def progress_for(request: ServiceRequest) -> Progress | None:
    """The service's word for what happened so far, or None: the regulation's status says it all."""
    function = _progress_functions.get(request.service)
    return function(request) if function is not None else None


PrefetchFunction = Callable[[list[ServiceRequest]], None]
_prefetch_functions: dict[str, PrefetchFunction] = {}


def register_prefetch(service_slug: str, function: PrefetchFunction) -> None:
    """For a service whose summary or progress reads rows of its own: `function(requests)` loads them for
    many requests in one query (app.core.transaction_cache.remember), so a list of a person's requests runs
    a constant number of queries, whatever its length (issue 22)."""
    _prefetch_functions[service_slug] = function


def row_of(model, request: ServiceRequest):
    """The service's own row of `request` (a model with a `request_id`), or None; found among the rows a
    list loaded beforehand (`prefetch_rows`) when there are some, else read alone."""
    return remembered(
        (model.__tablename__, "of request", request.id),
        lambda: db.session.scalars(select(model).where(model.request_id == request.id)).first(),
        depends_on=(model,),
    )


def prefetch_rows(model, requests: list[ServiceRequest], *options) -> None:
    """`row_of(model, request)` of many requests in one query, with `options` (what the summaries read)."""
    found = {
        row.request_id: row
        for row in db.session.scalars(
            select(model).where(model.request_id.in_([request.id for request in requests])).options(*options)
        )
    }
    for request in requests:
        remember((model.__tablename__, "of request", request.id), found.get(request.id), depends_on=(model,))


def prefetch(requests: list[ServiceRequest]) -> None:
    """Load what the summaries and progress of `requests` will read, one query per service."""
    by_service: dict[str, list[ServiceRequest]] = {}
    for request in requests:
        by_service.setdefault(request.service, []).append(request)
    for service, of_service in by_service.items():
        function = _prefetch_functions.get(service)
        if function is not None:
            function(of_service)


def is_delivered(request: ServiceRequest) -> bool:
    """Whether what the person waited for has happened (True for a service that does not say)."""
    progress = progress_for(request)
    return progress is None or progress.delivered
