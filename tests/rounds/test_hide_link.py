"""The hide link of a comment shows where the rule table lets the viewer hide (`hide_comment`), asked once per page."""

from __future__ import annotations

from unittest.mock import patch

from consult.comments import fragments
from tests.factories import tripartite
from tests.pages.forms import browser


def test_the_hide_link_shows_where_the_table_lets_hide_asked_once_per_page(app, make):
    world = tripartite(make)
    round = world["round"]
    links = [f"{make.comment(world['worker'], round, f'Off topic {n}.').public_id}/hide" for n in range(3)]
    asked = []
    may = fragments.governance.may

    def counted(session, view, action, *args):
        asked.append(action)
        return may(session, view, action, *args)

    with patch.object(fragments.governance, "may", counted):
        page = browser(app, world["secretariat"]).get(f"/rounds/{round.id}").get_data(as_text=True)
    assert all(link in page for link in links)
    assert asked.count("hide_comment") == 1  # once for the page, not once per comment
    for person in (world["worker"], world["employer"], world["government"]):
        page = browser(app, person).get(f"/rounds/{round.id}").get_data(as_text=True)
        assert not any(link in page for link in links)  # only the secretariat moderates
    make.move_to(world["secretariat"], round, "concluded")
    page = browser(app, world["secretariat"]).get(f"/rounds/{round.id}").get_data(as_text=True)
    assert "Off topic 0." in page and not any(link in page for link in links)  # the record is read-only
