"""The demo clinic's signing key: made once (self-signed) if none is installed, so that a fresh `make run`
issues signed documents and /verify shows valid signatures (issue 21)."""

from app.services import document_signing


def seed_signing_key(clinic_name: str) -> str:
    """Make the demo key if there is none; sign whatever waits. A line for the seed summary."""
    made = document_signing.ensure_demo_key(organisation=clinic_name)
    run = document_signing.sign_pending()
    key = "a self-signed demo signing key made" if made else "the installed signing key kept"
    return f"{key}; {run.signed} waiting documents signed"
