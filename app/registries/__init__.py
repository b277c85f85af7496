"""Access to the national registries: the contract and the adapter chosen by REGISTRY_BACKEND.

The registries issue fills in the adapters (embedded local registry, HTTP gateway); until then this
package exposes the contract and reports its backend on /healthz.
"""

from flask import current_app

from app.registries.contract import (
    REGISTERS,
    Attachment,
    NationalRegistry,
    NotFound,
    Person,
    Register,
    RegisterStatus,
    RegistryError,
    RegistryUnavailable,
)

__all__ = [
    "REGISTERS",
    "Attachment",
    "NationalRegistry",
    "NotFound",
    "Person",
    "Register",
    "RegisterStatus",
    "RegistryError",
    "RegistryUnavailable",
    "registry_health",
]


def registry_health() -> dict:
    return {"backend": current_app.config["REGISTRY_BACKEND"], "status": "ok"}
