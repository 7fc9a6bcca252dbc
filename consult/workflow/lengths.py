"""Checking the stage lengths a round agrees when it opens against its workflow."""

from __future__ import annotations

from flask_babel import gettext

from consult.errors import Invalid
from consult.workflow.definitions import Duration, Workflow


def check_stage_lengths(workflow: Workflow, lengths: dict[str, Duration | None]) -> dict[str, int]:
    """Stage lengths in seconds; 422 for a stage the workflow does not have or does not time."""
    # A legal clock's stage takes its length from the law (its [stages.clock] table), never from the round.
    timed = {stage.key for stage in workflow.stages
             if not stage.is_terminal and stage.on_deadline != "manual" and stage.clock is None
             and stage.duration is not None}
    unknown = sorted(set(lengths) - timed)
    if unknown:
        raise Invalid(gettext("Stage lengths name stages this workflow does not time."),
                      fields={"stage_lengths": [f"Unknown or untimed stage: {', '.join(unknown)}. "
                                                f"Use: {', '.join(sorted(timed))}."]})
    return {key: int(length.delta.total_seconds()) for key, length in lengths.items() if length is not None}
