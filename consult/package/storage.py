"""Where document files are kept: a small interface, with one implementation in a folder (the instance's).

Files are addressed by their SHA-256, written once to a temporary name and moved into place, and never
overwritten: a new version of a document is a new file, and the same bytes uploaded twice are kept once.
A deployment that keeps files elsewhere (an object store) gives create_app another DocumentStore.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Protocol

_KEY = re.compile(r"^[0-9a-f]{64}$")


class DocumentStore(Protocol):
    """Keeps document files by their SHA-256."""

    def put(self, digest: str, data: bytes) -> str:
        """Keep the bytes whose SHA-256 is `digest`; returns the key to read them back by."""

    def read(self, key: str) -> bytes:
        """The bytes kept under a key."""


class FolderStore:
    """Files under one folder, named by their digest (two levels: ab/abcdef...)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        if not _KEY.fullmatch(key):  # keys come from our own rows; anything else is refused, never joined
            raise ValueError(f"not a document key: {key!r}")
        return self.root / key[:2] / key

    def put(self, digest: str, data: bytes) -> str:
        """Write the file once; an existing file with the same digest already holds these bytes."""
        path = self._path(digest)
        if path.exists():
            return digest
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return digest

    def read(self, key: str) -> bytes:
        """The file's bytes."""
        return self._path(key).read_bytes()

    def keys(self) -> list[str]:
        """Every key kept (for tests and checks)."""
        if not self.root.exists():
            return []
        return sorted(p.name for p in self.root.glob("??/*") if _KEY.fullmatch(p.name))
