"""The SMS contract every backend keeps: `deliver` hands a message over or raises SmsUnavailable."""

from typing import Protocol


class SmsUnavailable(Exception):
    """The message could not be handed to the SMS provider. It is stored in the outbox as "failed".

    `reason` is a short machine word for logs and the outbox: "not_configured", "timeout",
    "connection_error", "rejected", "server_error"."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail
        self.message_id: int | None = None  # the outbox row, set by send()


class SmsBackend(Protocol):
    name: str
    delivers_externally: bool  # False: the outbox is the delivery (demo); True: a real provider

    def deliver(self, phone: str, text: str, *, reference: str) -> str:
        """Hand the message over; return the provider's message id ("" if none). Raise SmsUnavailable."""
        ...
