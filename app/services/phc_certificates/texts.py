"""Words of service 9 that are Babel messages (the kinds' titles and fields are regulation wording)."""

from flask_babel import lazy_gettext as _l

PRESENTER_LABELS = {"self": _l("The person themselves"), "proxy": _l("A proxy with a power of attorney")}
ATTACHMENT_LABELS = {
    "attached": _l("Attached to this clinic"),
    "not_attached": _l("Not attached to this clinic"),
    "unavailable": _l("The register did not answer"),
}
NOT_ATTACHED_WARNING = _l(
    "The register of attached population does not show this person attached to this clinic. You decide "
    "whether to issue the certificate."
)
UNKNOWN_KIND = _l("Choose a kind of certificate from the list.")
IDENTITY_NEEDED = _l("Write the identity document presented (kind and number).")
PROXY_NEEDED = _l("For a proxy, write their full name, IIN, and the power of attorney's number and date.")
PROXY_IIN_INVALID = _l("The proxy's IIN is not a valid IIN.")
CONCLUSION_NEEDED = _l("Write the conclusion.")
WAITS_FOR_REGISTRY = _l("The request waits for the register of attached population; retry it from the queue.")
IIN_INVALID = _l("Enter the patient's 12-digit IIN.")
