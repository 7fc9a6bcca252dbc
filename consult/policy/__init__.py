"""Who may see what: the one place that decides, for the API, pushes, replay, pages, search and exports.

It answers two questions, one module each:
- May this viewer see this round, event or comment? `access.py`: audiences, a viewer's standing in a round
  (`view_round`, `RoundView`), package documents, notifications, affected workers and appointed experts.
- How is this author shown to this viewer? `presentation.py`: the identity policy and the unlinkability rule
  (`present_author`, `present_actor`, `present_comment`), which depend only on the viewer's constituency.

Callers import from here (`from consult.policy import RoundView, present_comment`); the rule and each decision
behind it are written out in the two modules' docstrings.
"""

from __future__ import annotations

from consult.policy.access import (
    PARTICIPANTS,
    PUBLIC,
    SECRETARIAT,
    RoundView,
    appointed,
    caucus_audience,
    invited,
    lens_view,
    may_notify,
    may_notify_expert,
    package_audience,
    sees_affected_workers,
    standing,
    user_audience,
    view_round,
)
from consult.policy.presentation import (
    DISCUSSION_EVENTS,
    NAMED_EVENTS,
    aliases_of,
    counts_commenters,
    held_aliases,
    is_masked,
    member_in_charge_shown,
    notification_author,
    present_actor,
    present_author,
    present_comment,
    present_event,
    shows_people,
)

__all__ = [
    "DISCUSSION_EVENTS", "NAMED_EVENTS", "PARTICIPANTS", "PUBLIC", "SECRETARIAT", "RoundView", "aliases_of",
    "appointed", "caucus_audience", "counts_commenters", "held_aliases", "invited", "is_masked", "lens_view",
    "may_notify", "may_notify_expert", "member_in_charge_shown", "notification_author", "package_audience",
    "present_actor", "present_author", "present_comment", "present_event", "sees_affected_workers",
    "shows_people", "standing", "user_audience", "view_round",
]
