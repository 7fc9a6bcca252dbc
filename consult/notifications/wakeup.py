"""Waking the senders when a commit queued mail: at once in this process, through Redis in the others.

A commit whose transaction queued outbox rows calls every sender registered in this process (the thread
of `consult serve` or `consult scheduler`), and, when CONSULT_REDIS_URL is set, publishes one notice on
the deployment's mail channel, to which every `consult mailer` and `consult scheduler` listens. A notice
lost (Redis away, a listener reconnecting) costs only time: the senders still poll the outbox every
CONSULT_MAIL_POLL_SECONDS.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from consult.db import Database
from consult.notifications.outbox import enqueued_in

log = logging.getLogger(__name__)
WAKERS = "consult.mail_wakers"
#: How long a commit may wait on Redis to publish its notice before it gives up (the poll finds the mail).
PUBLISH_TIMEOUT = 1.0


def mail_channel(config: dict) -> str:
    """The Redis channel on which processes announce that mail was queued."""
    return f"{config['REDIS_CHANNEL']}:mail"


def redis_announcer(redis_url: str, channel: str) -> Callable[[], None]:
    """A function that tells the senders of other processes that mail was queued (never raises)."""
    import redis

    client = redis.Redis.from_url(redis_url, socket_timeout=PUBLISH_TIMEOUT, socket_connect_timeout=PUBLISH_TIMEOUT)

    def announce() -> None:
        try:
            client.publish(channel, "mail")
        except redis.RedisError:
            log.warning("could not announce queued mail on Redis; the senders find it at their next poll")

    return announce


def install_wakeup(db: Database, config: dict | None = None) -> list:
    """After a commit that queued mail, call every registered waker of this process and announce it on Redis."""
    wakers: list = db.factory.kw.setdefault("info", {}).setdefault(WAKERS, [])
    redis_url = (config or {}).get("REDIS_URL")
    announce = redis_announcer(redis_url, mail_channel(config)) if redis_url else None

    def _after_commit(session: Session) -> None:
        if enqueued_in(session):
            for wake in list(wakers):
                wake()
            if announce is not None:
                announce()

    def _after_rollback(session: Session) -> None:
        enqueued_in(session)

    sa_event.listen(db.factory, "after_commit", _after_commit)
    sa_event.listen(db.factory, "after_rollback", _after_rollback)
    return wakers


def listen(redis_url: str, channel: str, wake: Callable[[], None], stopping: threading.Event,
           subscribed: threading.Event | None = None) -> None:
    """Call `wake` on every notice of the channel until `stopping` is set; reconnect after a lost connection."""
    import redis

    while not stopping.is_set():
        try:
            pubsub = redis.Redis.from_url(redis_url, socket_connect_timeout=2).pubsub(ignore_subscribe_messages=True)
            pubsub.subscribe(channel)
            if subscribed is not None:
                subscribed.set()
            wake()  # notices sent while not subscribed are lost: look once at the outbox after (re)subscribing
            while not stopping.is_set():
                if pubsub.get_message(timeout=1.0):
                    wake()
            pubsub.close()
        except redis.RedisError:
            log.warning("lost the Redis channel %s; the mail sender polls and listens again in 2 s", channel)
            stopping.wait(2)
