"""Legal deadlines counted as the law counts them, case by case; every expected value computed by hand here.

Code de procédure civile (read on Légifrance's text as quoted by doctrine.fr and kohenavocats.fr):
- art. 641 al. 1: a délai in days does not count the day of the event that starts it;
- art. 641 al. 2: a délai in months "expire le jour du dernier mois ... qui porte le même quantième que le jour de
  l'acte ...; à défaut d'un quantième identique, le délai expire le dernier jour du mois";
- art. 642 al. 1: "Tout délai expire le dernier jour à vingt-quatre heures";
- art. 642 al. 2: a délai that would expire on a Saturday, Sunday or public holiday is extended to the next
  working day (applied to a CSE-expertise délai by Cass. soc. 5 Feb 2025, n° 22-21.892; uncertain for the
  R2312-6 consultation délai itself: consult shows both dates).
Paris time is CET (UTC+1) in winter and CEST (UTC+2) from the last Sunday of March to the last Sunday of October
(28 March and 31 October 2027): 24:00 Paris is 23:00 UTC in winter and 22:00 UTC in summer.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from consult.workflow.calendar import Jurisdiction, Place, count_deadline

PARIS = Place("FR", None, "Europe/Paris")
BAVARIA = Place("DE", "BY", "Europe/Berlin")


def utc(text: str) -> datetime:
    """A UTC moment written by hand."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# (case, start in UTC, length, unit, place, last day, its end in UTC, next working day or None, its end in UTC)
CASES = [
    ("31 January + 1 month, not a leap year: 28 February (art. 641 al. 2, no 31 February), Wednesday",
     "2029-01-31T09:00:00", 1, "months", PARIS, date(2029, 2, 28), "2029-02-28T23:00:00", None, None),
    ("31 January + 1 month in a leap year: 29 February (art. 641 al. 2), Tuesday",
     "2028-01-31T09:00:00", 1, "months", PARIS, date(2028, 2, 29), "2028-02-29T23:00:00", None, None),
    ("30 December + 1 month: Saturday 30 January, so possibly Monday 1 February (arts. 641 al. 2, 642 al. 2)",
     "2026-12-30T14:00:00", 1, "months", PARIS, date(2027, 1, 30), "2027-01-30T23:00:00",
     date(2027, 2, 1), "2027-02-01T23:00:00"),
    ("30 December + 2 months: no 30 February, the month's last day, Sunday 28 February (art. 641 al. 2)",
     "2026-12-30T14:00:00", 2, "months", PARIS, date(2027, 2, 28), "2027-02-28T23:00:00",
     date(2027, 3, 1), "2027-03-01T23:00:00"),
    ("across the spring change: released in CET on Monday 15 March, ends 24:00 CEST on 15 April (art. 642 al. 1)",
     "2027-03-15T08:00:00", 1, "months", PARIS, date(2027, 4, 15), "2027-04-15T22:00:00", None, None),
    ("across the autumn change, released late on a Friday (23:30 Paris, 21:30 UTC): Paris's Friday 22 October "
     "counts, ends 24:00 CET on Monday 22 November (arts. 641 al. 2, 642 al. 1)",
     "2027-10-22T21:30:00", 1, "months", PARIS, date(2027, 11, 22), "2027-11-22T23:00:00", None, None),
    ("a deadline on 14 July (Fête nationale, a public holiday): possibly Thursday 15 July (art. 642 al. 2)",
     "2027-06-14T08:00:00", 1, "months", PARIS, date(2027, 7, 14), "2027-07-14T22:00:00",
     date(2027, 7, 15), "2027-07-15T22:00:00"),
    ("released just after midnight, 00:30 Paris on 1 March (still 28 February in UTC): the same-numbered day is "
     "1 April, ending 24:00 CEST (art. 641 al. 2 read in the law's time zone)",
     "2027-02-28T23:30:00", 1, "months", PARIS, date(2027, 4, 1), "2027-04-01T22:00:00", None, None),
    ("15 days from Friday 7 March 2025: the day of the event does not count, Saturday 22 March, so Monday 24 "
     "(art. 641 al. 1, 642 al. 2)",
     "2025-03-07T10:00:00", 15, "days", PARIS, date(2025, 3, 22), "2025-03-22T23:00:00",
     date(2025, 3, 24), "2025-03-24T23:00:00"),
    ("a regional holiday: 6 January (Epiphany) is a holiday in Bavaria, so Thursday 7 January there",
     "2026-12-06T10:00:00", 1, "months", BAVARIA, date(2027, 1, 6), "2027-01-06T23:00:00",
     date(2027, 1, 7), "2027-01-07T23:00:00"),
]


@pytest.mark.parametrize(("case", "start", "amount", "unit", "place", "last", "ends", "extended", "extended_ends"),
                         CASES, ids=[c[0][:60] for c in CASES])
def test_a_legal_deadline_ends_at_24_00_of_its_last_day_in_the_laws_time_zone(case, start, amount, unit, place,
                                                                              last, ends, extended, extended_ends):
    deadline = count_deadline(utc(start), amount, unit, place, "uncertain")
    assert deadline.last_day == last, case
    assert deadline.ends_at == utc(ends), case
    assert deadline.extended_day == extended, case
    assert deadline.extended_at == (utc(extended_ends) if extended_ends else None), case


def test_where_the_extension_applies_it_governs_where_uncertain_the_recorded_reading_does():
    start = utc("2026-12-30T14:00:00")  # last day Saturday 30 January 2027
    assert count_deadline(start, 1, "months", PARIS, "applies").governing(None) == utc("2027-02-01T23:00:00")
    assert count_deadline(start, 1, "months", PARIS, "no").governing("extended") == utc("2027-01-30T23:00:00")
    uncertain = count_deadline(start, 1, "months", PARIS, "uncertain")
    assert uncertain.governing(None) == utc("2027-01-30T23:00:00")  # as counted, until the round records a reading
    assert uncertain.governing("extended") == utc("2027-02-01T23:00:00")


def test_an_eu_profile_takes_the_establishments_country_and_never_counts_in_utc():
    eu = Jurisdiction("establishment", "establishment", "applies", "Directive 2002/14/EC")
    assert eu.place(None, None) is None  # no country stated: no place, never UTC
    assert eu.place("DE", "BY") == Place("DE", "BY", "Europe/Berlin")
    assert eu.place("FR", None) == Place("FR", None, "Europe/Paris")
    fr = Jurisdiction("FR", "Europe/Paris", "uncertain", "CPC 641, 642")
    assert fr.place(None, None) == Place("FR", None, "Europe/Paris")
    assert fr.place("DE", "BY") == Place("FR", None, "Europe/Paris")  # French law stays French law
