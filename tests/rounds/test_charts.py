"""The timeline picture: a past stage's bar ends where the next stage began, so bars never overlap in time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from consult.rounds.charts import timeline_chart

T0 = datetime(2027, 1, 4, 9, tzinfo=UTC)


def stage(key, starts, deadline, entered, current=False):
    return {"key": key, "title": key.title(), "starts_at": starts, "deadline_at": deadline, "entered_at": entered,
            "is_current": current}


def test_a_stage_advanced_early_does_not_reach_past_the_next_stage():
    day = timedelta(days=1)
    # Information was planned for 7 days but the secretariat advanced after 2; consultation then began.
    stages = [stage("information", T0, T0 + 7 * day, T0),
              stage("consultation", T0 + 7 * day, T0 + 21 * day, T0 + 2 * day, current=True),
              stage("caucus", T0 + 21 * day, T0 + 26 * day, None)]
    chart = timeline_chart({"stages": stages}, T0, T0 + 3 * day)
    information, consultation = chart["rows"][0], chart["rows"][1]
    assert information["state"] == "done"
    assert information["x"] + information["width"] <= consultation["entered_x"] + 0.1
