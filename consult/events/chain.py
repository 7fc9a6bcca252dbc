"""The hash chain of a round's log: each event's hash covers its content and the hash before it."""

import hashlib
import json
from datetime import datetime
from typing import Any


def canonical_json(value: Any) -> bytes:
    """Serialise deterministically: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def event_hash(prev_hash: str, *, round_id: int, seq: int, type: str, actor_id: int | None,
               audience: str, payload: dict, created_at: datetime) -> str:
    """The SHA-256 that chains one event onto the previous one."""
    body = canonical_json({
        "round_id": round_id, "seq": seq, "type": type, "actor_id": actor_id,
        "audience": audience, "payload": payload, "created_at": created_at.isoformat(),
    })
    return hashlib.sha256(prev_hash.encode() + body).hexdigest()
