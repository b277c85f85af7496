"""A generic HTTP SMS gateway: one JSON POST per message.

Request (SMS_HTTP_URL, with `Authorization: Bearer <SMS_HTTP_TOKEN>` when a token is set):

    POST <SMS_HTTP_URL>
    {"to": "+77011234567", "text": "...", "sender": "Emhana", "reference": "123"}

`reference` is our outbox id; gateways that de-duplicate by it make a resend harmless.
Any 2xx answer is success; its JSON body may carry the provider's id as "id" or "message_id".
Everything else (timeout, connection error, 4xx, 5xx) raises SmsUnavailable,
which app.notify.send records in the outbox as "failed". Messages are not retried here: a person waiting
for a code asks for a new one, which is better than a late duplicate.
"""

import logging

import requests

from app.notify.contract import SmsUnavailable

log = logging.getLogger(__name__)


class HttpSmsBackend:
    name = "http"
    delivers_externally = True

    def __init__(self, *, url: str, token: str, sender: str, connect_timeout: float, read_timeout: float):
        self.url = url
        self.token = token
        self.sender = sender
        self.timeout = (connect_timeout, read_timeout)

    def deliver(self, phone: str, text: str, *, reference: str) -> str:
        if not self.url:
            raise SmsUnavailable("not_configured", "SMS_HTTP_URL is empty")
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        payload = {"to": phone, "text": text, "sender": self.sender, "reference": reference}
        try:
            response = requests.post(self.url, json=payload, headers=headers, timeout=self.timeout)
        except requests.Timeout:
            raise SmsUnavailable("timeout") from None
        except requests.RequestException as error:
            raise SmsUnavailable("connection_error", type(error).__name__) from None
        if response.status_code >= 500:
            raise SmsUnavailable("server_error", str(response.status_code))
        if not 200 <= response.status_code < 300:
            raise SmsUnavailable("rejected", str(response.status_code))
        if not response.content:
            return ""
        try:
            body = response.json()
        except ValueError:
            # Accepted all the same: calling it a failure would make the person ask for a duplicate.
            log.warning("sms gateway accepted message %s with a body that is not JSON", reference)
            return ""
        if not isinstance(body, dict):
            return ""
        return str(body.get("id") or body.get("message_id") or "")
