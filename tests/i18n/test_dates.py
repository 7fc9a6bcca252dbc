"""Dates on pages: in the round's time zone, written the way the page's language writes them."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from flask_babel import force_locale

from consult.web.dates import local_date, local_datetime

# 23:30 UTC on 31 March 2026 is already 1 April in Paris (summer time, UTC+2) and still 31 March in Mexico City.
MOMENT = datetime(2026, 3, 31, 23, 30, tzinfo=UTC)


@pytest.mark.parametrize(("language", "zone", "shown"), [
    ("en", "Europe/Paris", "Apr 1, 2026, 1:30\u202fAM"),
    ("fr", "Europe/Paris", "1 avr. 2026, 01:30"),
    ("es", "Europe/Paris", "1 abr 2026, 1:30"),
    ("es", "America/Mexico_City", "31 mar 2026, 17:30"),
    ("fr", None, "31 mars 2026, 23:30"),  # no zone: UTC
])
def test_a_moment_is_shown_in_the_rounds_zone_and_the_pages_language(app, language, zone, shown):
    with app.test_request_context(), force_locale(language):
        assert local_datetime(MOMENT, zone) == shown
        assert local_datetime(MOMENT.isoformat(), zone) == shown  # ISO text, as open-data summaries keep it
        assert local_datetime(MOMENT.replace(tzinfo=None), zone) == shown  # naive: stored UTC


def test_days_and_empty_values(app):
    with app.test_request_context(), force_locale("fr"):
        assert local_date(date(2027, 12, 31)) == "31 déc. 2027"
        assert local_date("2027-12-31") == "31 déc. 2027"
        assert local_date(MOMENT, "Europe/Paris") == "1 avr. 2026"  # the round's day, not UTC's
        assert local_datetime(None) == local_date(None) == local_date("") == ""
        assert local_datetime(MOMENT, "Not/AZone") == "31 mars 2026, 23:30"  # an unknown zone falls back to UTC


def test_the_monitoring_page_writes_due_dates_in_the_persons_language(client, make, db):
    from tests.factories import log_in
    from tests.i18n.helpers import speak
    from tests.outcomes.helpers import outcome_world

    world = outcome_world(make)  # one commitment, due 2027-12-31
    log_in(client, world["worker"])
    speak(db, world["worker"], "es")
    page = client.get("/monitoring").get_data(as_text=True)
    assert '<time datetime="2027-12-31">31 dic 2027</time>' in page


def test_what_a_request_remembers_follows_the_language_and_ends_with_the_request(app):
    """The round page remembers dates and constituency names for one request (consult/web/dates.py,
    labels.py): a mail written in another language mid-request, or the next reader, never gets another's."""
    from consult.web.labels import constituency_name

    with app.test_request_context():
        with force_locale("fr"):
            assert local_datetime(MOMENT, "Europe/Paris") == "1 avr. 2026, 01:30"
            assert constituency_name("workers") == "Travailleurs"
        with force_locale("en"):  # same arguments, same request, another language
            assert local_datetime(MOMENT, "Europe/Paris") == "Apr 1, 2026, 1:30\u202fAM"
            assert constituency_name("workers") == "Workers"
        with force_locale("es"):
            assert local_datetime(MOMENT, "America/Mexico_City") == "31 mar 2026, 17:30"
    with app.test_request_context(), force_locale("fr"):  # the next request starts afresh
        assert local_datetime(MOMENT, "America/Mexico_City") == "31 mars 2026, 17:30"
        assert constituency_name("workers") == "Travailleurs"
