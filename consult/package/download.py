"""Serving a document version: always as an attachment, never sniffed, sandboxed if a browser renders it anyway."""

from __future__ import annotations

import io
import re
import unicodedata
from urllib.parse import quote

from flask import Response, send_file

from consult.package.models import DocumentVersion

#: A browser that opens the file despite the attachment disposition runs nothing and loads nothing.
DOWNLOAD_CSP = "default-src 'none'; sandbox; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"


def attachment(version: DocumentVersion, data: bytes) -> Response:
    """The file as a download named as uploaded, with its content type as detected on the way in."""
    response = send_file(io.BytesIO(data), mimetype=version.media_type, etag=version.sha256, conditional=False,
                         max_age=0)
    response.headers["Content-Disposition"] = content_disposition(version.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = DOWNLOAD_CSP
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Cache-Control"] = "no-store"
    response.headers["Digest"] = f"sha-256={version.sha256}"
    return response


def _folded(text: str, allowed: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text)).encode("ascii", "ignore").decode()
    return re.sub(r"\.{2,}", ".", re.sub(f"[^{allowed}]", "_", ascii_text))


def ascii_fallback(name: str) -> str:
    """The `filename` parameter for clients that ignore `filename*` (RFC 6266 s. 4.3): ASCII letters, digits
    and a few marks only, never a path separator, a quote or a dot-dot, never a leading dot."""
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    simple = _folded(stem, "A-Za-z0-9 ._()+,=@-").strip(" ._") or "download"
    extension = re.sub(r"[^A-Za-z0-9]", "", _folded(extension, "A-Za-z0-9"))
    return f"{simple}.{extension}" if extension else simple


def content_disposition(name: str) -> str:
    """An attachment named as uploaded: the UTF-8 name in `filename*` (RFC 8187 s. 3.2.1) and a safe fallback."""
    encoded = quote(name, safe="!#$&+-.^_`|~")
    return f'attachment; filename="{ascii_fallback(name)}"; filename*=UTF-8\'\'{encoded}'
