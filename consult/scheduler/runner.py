"""The scheduler process (or thread, inside `consult serve`): APScheduler wakes it at the next due moment.

It keeps one date job armed at the earliest `wake_at` of any round. A pass runs every due round, then
re-arms. A change of deadline made elsewhere re-arms it: in the same process through the event
dispatcher; from other processes through a Redis channel when CONSULT_REDIS_URL is set. A cheap check of
the earliest `wake_at` every few minutes (every 30 s without Redis) covers a lost notice.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask

from consult.db import utcnow
from consult.events.dispatcher import CommittedEvent
from consult.scheduler.jobs import next_wake, process_due

log = logging.getLogger(__name__)

WAKE_JOB, RECHECK_JOB = "consult-wake", "consult-recheck"
#: Events after which the earliest deadline may have moved.
REARMING_EVENTS = frozenset({"stage.entered", "stage.extended", "round.paused", "round.resumed", "round.held",
                             "round.blocked", "expert.appointed", "expert.step_recorded", "expert.ended"})
#: Where an application keeps the schedulers running for it in this process.
RUNNING = "consult.schedulers"
#: How soon to look again at a round that another scheduler was holding.
RETRY = timedelta(seconds=1)


def rearm_channel(app: Flask) -> str:
    """The Redis channel on which processes announce that a deadline changed."""
    return f"{app.config['REDIS_CHANNEL']}:timeline"


def make_rearm_announcer(app: Flask):
    """A dispatcher subscriber for web processes: tells scheduler processes that a deadline changed."""
    import redis

    client = redis.Redis.from_url(app.config["REDIS_URL"])
    channel = rearm_channel(app)

    def announce(events: list[CommittedEvent]) -> None:
        if any(event.type in REARMING_EVENTS for event in events):
            try:
                client.publish(channel, "rearm")
            except redis.RedisError:
                log.warning("could not announce a deadline change on Redis; schedulers see it on their next check")

    return announce


def rearm_running_schedulers(app: Flask):
    """A dispatcher subscriber: re-arms the schedulers running in this process for `app` after a deadline changed
    (consult/bootstrap.py subscribes it; a scheduler joins `running_schedulers` while it runs)."""
    running = running_schedulers(app)

    def rearm(events: list[CommittedEvent]) -> None:
        if running and any(event.type in REARMING_EVENTS for event in events):
            for scheduler in list(running):
                scheduler.rearm()

    return rearm


def running_schedulers(app: Flask) -> list[Scheduler]:
    """The schedulers started in this process for `app` and not shut down (usually none or one)."""
    return app.extensions.setdefault(RUNNING, [])


class Scheduler:
    """Moves rounds at their deadlines; several may run against one database without moving a round twice."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.db = app.extensions["consult.db"]
        self.aps = BackgroundScheduler(timezone=UTC, job_defaults={"coalesce": True, "max_instances": 1,
                                                                   "misfire_grace_time": None})
        self.passes = 0
        self._stopping = threading.Event()
        self._pass_lock = threading.Lock()

    def start(self) -> None:
        """Catch up with everything overdue now, then wake at each next due moment."""
        redis_url = self.app.config["REDIS_URL"]
        self.aps.start()
        self.aps.add_job(self.run_pass, "date", run_date=datetime.now(UTC), id=WAKE_JOB, replace_existing=True)
        self.aps.add_job(self.rearm, "interval", seconds=300 if redis_url else 30, id=RECHECK_JOB,
                         replace_existing=True)
        self.aps.add_job(self.app.extensions["consult.exports"].recover, "interval", seconds=60,
                         id="consult-exports", replace_existing=True, next_run_time=datetime.now(UTC))
        from consult.notifications.digest import digest_pass
        from consult.notifications.mailer import Mailer

        self.mailer = Mailer(self.app).start()
        self.aps.add_job(digest_pass, "interval", args=[self.app], minutes=10, id="consult-digests",
                         replace_existing=True, next_run_time=datetime.now(UTC))
        running_schedulers(self.app).append(self)  # re-armed by `rearm_running_schedulers` after a commit
        if redis_url:
            threading.Thread(target=self._listen, args=(redis_url,), name="consult-rearm", daemon=True).start()

    def shutdown(self) -> None:
        """Stop waking; a pass under way finishes its round."""
        self._stopping.set()
        if self in running_schedulers(self.app):
            running_schedulers(self.app).remove(self)
        if getattr(self, "mailer", None) is not None:
            self.mailer.stop()
        # Not wait=True: APScheduler holds its job-store lock while it waits for running jobs, and a job that
        # re-arms needs that lock, so a SIGTERM during a pass hung the process for good. The pass lock waits
        # for a pass under way instead; its re-arm then sees that the scheduler is stopping.
        self.aps.shutdown(wait=False)
        with self._pass_lock:
            pass

    def run_pass(self) -> None:
        """Handle every due round, then re-arm."""
        with self._pass_lock:
            handled, moved = process_due(self.db, utcnow())
            self.passes += 1
            if handled:
                log.info("scheduler pass: %d rounds handled, %d stages entered", handled, moved)
        self.rearm()

    def rearm(self) -> None:
        """Arm the wake job at the earliest moment any round needs the scheduler."""
        if self._stopping.is_set() or self._pass_lock.locked():
            return  # a pass is under way; it re-arms when it ends, with everything that changed meanwhile
        wake = next_wake(self.db)
        if wake is None:
            job = self.aps.get_job(WAKE_JOB)
            if job is not None:
                job.remove()
            return
        now = utcnow()
        if wake <= now:
            # Still due after a pass: another scheduler holds it, or it failed. Look again shortly, not in a loop.
            wake = now + RETRY
        job = self.aps.get_job(WAKE_JOB)
        if job is not None and job.next_run_time is not None and job.next_run_time <= wake:
            return  # already armed as early or earlier; that pass re-arms after it runs
        self.aps.add_job(self.run_pass, "date", run_date=wake, id=WAKE_JOB, replace_existing=True)

    def _listen(self, redis_url: str) -> None:
        import redis

        channel = rearm_channel(self.app)
        while not self._stopping.is_set():
            try:
                pubsub = redis.Redis.from_url(redis_url).pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(channel)
                while not self._stopping.is_set():
                    if pubsub.get_message(timeout=1.0):
                        self.rearm()
            except redis.RedisError:
                log.warning("lost the Redis channel %s; listening again in 2 s", channel)
                self._stopping.wait(2)
