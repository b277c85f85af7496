"""The embedded SMS backend: the outbox table is the delivery. For demos and clinics without a provider."""

import logging

log = logging.getLogger(__name__)


class OutboxBackend:
    name = "outbox"
    delivers_externally = False

    def deliver(self, phone: str, text: str, *, reference: str) -> str:
        # Logged in full on purpose: with no provider, the outbox and this log are how the text is read.
        log.info("sms #%s (outbox) to %s: %s", reference, phone, text)
        return ""
