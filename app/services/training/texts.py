"""The words of the training centre's screens (staff, kk and ru): programme kinds, states, steps."""

from flask_babel import lazy_gettext as _l

PROGRAMME_KIND_LABELS = {
    "qualification_upgrade": _l("Qualification upgrade (certificate, свидетельство)"),
    "retraining": _l("Retraining (certificate, удостоверение)"),
    "vocational": _l("Vocational programme (diploma)"),
}
DEBT_KIND_LABELS = {"financial": _l("Financial debt"), "other": _l("Other debt")}
RECEIVER_LABELS = {"self": _l("In person"), "proxy": _l("By proxy, with a power of attorney")}

# Where a document stands, for the list of what is due.
STATE_LABELS = {
    "awaiting_decision": _l("Waiting for the head's decision"),
    "due": _l("Due"),
    "late": _l("Late"),
    "suspended": _l("Suspended: debt"),
    "ready": _l("Ready, not yet handed over"),
    "issued": _l("Issued"),
}
STATUS_LABELS = {"in_review": _l("Being prepared"), "completed": _l("Ready for issue")}
STEP_LABELS = {
    "commission_decision": _l("Commission decision recorded"),
    "duplicate_applied": _l("Duplicate application registered"),
    "duplicate_approved": _l("Duplicate approved by the head"),
    "suspended": _l("Suspended: debt to the organisation"),
    "suspension_lifted": _l("Suspension lifted"),
    "handed_over": _l("Handed over, signed in the journal"),
}
DUPLICATE_LABEL = _l("Duplicate")
SIGNED_LABEL = _l("Signed by the recipient")

# The accounting journal's columns (B.14: the date the documents came in and the recipient's signature are
# the regulation's; the others are what a journal of issued blanks needs).
JOURNAL_COLUMNS = (
    _l("No."),
    _l("Date documents received"),
    _l("Document"),
    _l("Blank series and number"),
    _l("Surname, name, patronymic"),
    _l("IIN"),
    _l("Programme"),
    _l("Hours"),
    _l("Dates of study"),
    _l("Commission decision, number and date"),
    _l("Date of issue"),
    _l("Received"),
    _l("Recipient's signature"),
    _l("Original replaced"),
    _l("Application date"),
    _l("Newspaper notice"),
    _l("Payment document"),
    _l("Date of the head's decision"),
)

# What the trainee reads on /status about their document (the staff words above are the desk's).
TRAINEE_STATE_LABEL = _l("State of the document")
TRAINEE_STATES = {
    "awaiting_decision": _l("Waiting for the head's decision"),
    "due": _l("Being prepared"),
    "late": _l("Being prepared"),
    "suspended": _l("Suspended until the debt to the organisation is settled"),
    "ready": _l("Ready: it is handed over in person, or to a person with a power of attorney"),
    "issued": _l("Handed over"),
}
