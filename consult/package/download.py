"""Serving a document version: always as an attachment, never sniffed, sandboxed if a browser renders it anyway."""

from __future__ import annotations

import io

from flask import Response, send_file

from consult.package.models import DocumentVersion

#: A browser that opens the file despite the attachment disposition runs nothing and loads nothing.
DOWNLOAD_CSP = "default-src 'none'; sandbox; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"


def attachment(version: DocumentVersion, data: bytes) -> Response:
    """The file as a download named as uploaded, with its content type as detected on the way in."""
    response = send_file(io.BytesIO(data), mimetype=version.media_type, as_attachment=True,
                         download_name=version.filename, etag=version.sha256, conditional=False,
                         max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = DOWNLOAD_CSP
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Cache-Control"] = "no-store"
    response.headers["Digest"] = f"sha-256={version.sha256}"
    return response
