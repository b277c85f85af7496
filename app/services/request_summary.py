"""What a request gave the person ("what you got"), for the status page, in each service's own words.

One explicit hook: a service module registers one function for its catalogue slug at import time,
`register("home-visit", visit_summary)`, the way it registers its registry retry handler. The function
takes the ServiceRequest and returns a `Summary` (or None when there is nothing to say yet), with its
texts already in the current language. The status page asks `summary_for(request)` and renders whatever
comes back with one template, whatever the service.

Who may see it is not the function's business: app.services.status shows a summary only to the request's
subject or applicant who proved the code or is signed in; staff pages never ask for it.
"""

from collections.abc import Callable
from dataclasses import dataclass

from app.models import ServiceRequest


@dataclass(frozen=True)
class Fact:
    label: str
    value: str


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
