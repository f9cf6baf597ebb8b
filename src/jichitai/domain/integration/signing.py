"""Webhook signatures: HMAC-SHA256 over the timestamp and the body.

The header ``X-Jichitai-Signature: t=<unix seconds>,v1=<hex digest>`` signs ``b"<t>." + body``
with the subscriber's secret. A receiver recomputes the digest, compares it in constant time
and refuses a timestamp too far from its own clock (a replayed old delivery).

While a secret is being rotated the header carries one ``v1`` per valid secret, the new one
first: ``t=<t>,v1=<new>,v1=<old>``. A receiver accepts the delivery when any ``v1`` matches a
secret it holds, so it can switch to the new secret at any moment of the window.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

SIGNATURE_HEADER = "X-Jichitai-Signature"
DEFAULT_TOLERANCE_SECONDS = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The header value for a delivery of ``body`` at ``timestamp`` (unix seconds)."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def signatures(secrets: Sequence[str], timestamp: int, body: bytes) -> str:
    """The header value signing ``body`` at ``timestamp`` with each of ``secrets``, in order."""
    if not secrets:
        raise ValueError("a delivery needs at least one secret to be signed with")
    digests = (signature(secret, timestamp, body).partition(",")[2] for secret in secrets)
    return ",".join((f"t={timestamp}", *digests))


def verify(
    secret: str,
    header: str,
    body: bytes,
    now: int,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
) -> bool:
    """Whether ``header`` signs ``body`` with ``secret`` at a time within ``tolerance`` of now."""
    fields: dict[str, list[str]] = {}
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        fields.setdefault(name, []).append(value)
    stamps = fields.get("t", [])
    if len(stamps) != 1 or not stamps[0].isdigit():
        return False
    timestamp = int(stamps[0])
    if abs(now - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body).partition(",v1=")[2]
    return any(hmac.compare_digest(expected, given) for given in fields.get("v1", []))
