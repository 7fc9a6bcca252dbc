"""The time-stamping client: a small interface, with one implementation over HTTP (RFC 3161).

The signer (consult/documents/signing.py) asks it for a timestamp over each signature (PAdES B-T) when
CONSULT_TSA_URL is set. `TimestampClient` names what the signer uses of it, which is what pyHanko's signer
calls; pyHanko's `HTTPTimeStamper` is the one implementation, and a deployment or a test may hand the signer
another with the same methods.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class TimestampClient(Protocol):
    """An RFC 3161 time-stamping authority, as the PDF signer asks it."""

    url: str  # where the authority is, named in the error when it gives no timestamp

    async def async_timestamp(self, message_digest: bytes, md_algorithm: str) -> Any:
        """A timestamp token (a CMS ContentInfo) over the digest; raises OSError or pyHanko's
        TimestampRequestError when the authority gives none."""

    async def async_dummy_response(self, md_algorithm: str) -> Any:
        """A token of the size a real one will have (the signer reserves room for it)."""

    def validation_paths(self, validation_context: Any) -> AsyncIterator[Any]:
        """The certificate paths that validate the authority's tokens (embedded for B-LT)."""


def http_timestamp_client(url: str, timeout: float) -> TimestampClient:
    """The authority at an http(s) URL, waited for at most `timeout` seconds per request."""
    from pyhanko.sign.timestamps import HTTPTimeStamper  # pyHanko is heavy: loaded only when signing

    return HTTPTimeStamper(url, timeout=timeout)
