"""Sending files to the package API as a script would (multipart with an API token)."""

from __future__ import annotations

import io


def upload(client, path: str, filename: str, data: bytes, **fields):
    """POST a multipart upload to /api/v1{path} with the client's token."""
    form = {key: value for key, value in fields.items() if value is not None}
    form["file"] = (io.BytesIO(data), filename)
    return client.client.post(f"/api/v1{path}", data=form, headers=client.headers,
                              content_type="multipart/form-data")


def attach(client, round_id: int, filename: str, data: bytes, title: str = "Vendor documentation",
           caucus: str | None = None):
    """Attach a new document."""
    return upload(client, f"/rounds/{round_id}/package/documents", filename, data, title=title, caucus=caucus)
