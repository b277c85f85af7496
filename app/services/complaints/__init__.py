"""Written complaints (regulation 004, items 8-14): registered with a number and date, assigned to the head,
answered in writing within 5 working days (Law «О государственных услугах», art. 25; working days in law,
Monday to Friday), the answer issued as a reply letter. The receipt, the status page and the letter say the
last day of the answer and where the person may go next: the authorised bodies (15 working days there, 004
items 8 and 12), then court (item 14).

A complaint is a service request (catalogue slug "complaint", numbered CM-2026-000001): its number, channel,
status, deadline and history are the request's, so the status page, the deadline warnings and monitoring
treat it like any other request. Its own row (app.models.Complaint) keeps what the complainant wrote and
the head's answer; the reply letter is the request's result document.

The rooms: `rules` (what a complaint must say, limits, errors), `texts` (labels, messages, SMS texts),
`queries` (lookups, the head's list, figures, the status page's hooks, audited looks), `operations` (filing,
the draft, the answer, with their events and audit). This face is what the rest of the app imports; the
service's hooks are registered here, once.
"""

from app.services import request_summary, status
from app.services import requests as request_service
from app.services.complaints.operations import REPLY_KIND, answer, file_complaint, save_draft
from app.services.complaints.queries import (
    ComplaintFigures,
    complaint_for_request,
    complaint_summary,
    figures,
    find_by_number,
    follower,
    get,
    head_on_duty,
    list_complaints,
    open_complaint,
    open_list,
    open_receipt,
    print_reply,
)
from app.services.complaints.rules import (
    ANSWER_TERM_WORKING_DAYS,
    COMPLAINT_WINDOW,
    COMPLAINTS_PER_IIN,
    COMPLAINTS_PER_IP,
    LIST_FILTERS,
    MAX_TEXT,
    NUMBER_PREFIX,
    REPLY_TEMPLATE,
    SERVICE,
    ComplaintError,
    ComplaintInput,
)
from app.services.complaints.texts import (
    ANSWER_DUE_LABEL,
    APPEAL_TO_AUTHORISED_BODIES,
    COURT,
    STATUS_LABELS,
    STEP_LABELS,
    answer_due,
    terms,
)

request_service.register_labels(SERVICE, statuses=STATUS_LABELS, steps=STEP_LABELS)
request_summary.register(SERVICE, complaint_summary)
status.register_follower(SERVICE, follower)

__all__ = [
    "ANSWER_DUE_LABEL",
    "ANSWER_TERM_WORKING_DAYS",
    "APPEAL_TO_AUTHORISED_BODIES",
    "COURT",
    "COMPLAINTS_PER_IIN",
    "COMPLAINTS_PER_IP",
    "COMPLAINT_WINDOW",
    "LIST_FILTERS",
    "MAX_TEXT",
    "NUMBER_PREFIX",
    "REPLY_KIND",
    "REPLY_TEMPLATE",
    "SERVICE",
    "STATUS_LABELS",
    "STEP_LABELS",
    "ComplaintError",
    "ComplaintFigures",
    "ComplaintInput",
    "answer",
    "answer_due",
    "complaint_for_request",
    "complaint_summary",
    "figures",
    "find_by_number",
    "file_complaint",
    "follower",
    "get",
    "head_on_duty",
    "list_complaints",
    "open_complaint",
    "open_list",
    "open_receipt",
    "print_reply",
    "save_draft",
    "terms",
]
