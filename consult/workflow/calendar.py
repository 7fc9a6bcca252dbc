"""How the law counts a legal clock: to the end of its last day, in the jurisdiction's time zone, with the
working days and public holidays of the jurisdiction. Pure: no Flask, no database.

A workflow's `[jurisdiction]` table says where the law is:

    [jurisdiction]
    country = "FR"                  # ISO 3166-1 alpha-2, or "establishment": the round states it
    time_zone = "Europe/Paris"      # an IANA name, or "establishment": the establishment country's zone
    next_working_day = "uncertain"  # "applies", "no" or "uncertain" (a deadline on a non-working day)
    basis = "Code de procédure civile art. 641 and 642"

French counting (CPC art. 641, 642): the day of the event does not count; a length in days ends on the
n-th day after it, a length in months on the day of the last month with the same number, else the month's
last day; every délai expires on its last day at 24:00 (art. 642 al. 1). A délai ending on a Saturday,
Sunday or public holiday runs to the next working day (art. 642 al. 2) where the profile says it applies;
where the law is uncertain both dates are shown and the round records which reading it follows.
Hours, minutes and seconds are exact lengths (a test profile's clock), never rounded to a day's end.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

ESTABLISHMENT = "establishment"
NEXT_WORKING_DAY = ("applies", "no", "uncertain")
JURISDICTION_KEYS = frozenset({"country", "time_zone", "next_working_day", "basis"})
#: The legal time of each EU and EEA state (and Switzerland, the United Kingdom), at its capital: the zone an
#: EU profile's clock counts in when the round states the establishment's country.
COUNTRY_ZONES = {
    "AT": "Europe/Vienna", "BE": "Europe/Brussels", "BG": "Europe/Sofia", "CH": "Europe/Zurich",
    "CY": "Asia/Nicosia", "CZ": "Europe/Prague", "DE": "Europe/Berlin", "DK": "Europe/Copenhagen",
    "EE": "Europe/Tallinn", "ES": "Europe/Madrid", "FI": "Europe/Helsinki", "FR": "Europe/Paris",
    "GB": "Europe/London", "GR": "Europe/Athens", "HR": "Europe/Zagreb", "HU": "Europe/Budapest",
    "IE": "Europe/Dublin", "IS": "Atlantic/Reykjavik", "IT": "Europe/Rome", "LI": "Europe/Vaduz",
    "LT": "Europe/Vilnius", "LU": "Europe/Luxembourg", "LV": "Europe/Riga", "MT": "Europe/Malta",
    "NL": "Europe/Amsterdam", "NO": "Europe/Oslo", "PL": "Europe/Warsaw", "PT": "Europe/Lisbon",
    "RO": "Europe/Bucharest", "SE": "Europe/Stockholm", "SI": "Europe/Ljubljana", "SK": "Europe/Bratislava",
}
#: Whose clock a country's legal time is (for a round that states no country: its time zone tells).
ZONE_COUNTRIES = {zone: country for country, zone in COUNTRY_ZONES.items()}


@dataclass(frozen=True)
class Jurisdiction:
    """Where a profile's law is: its country, its legal time and whether a deadline moves off a non-working day."""

    country: str
    time_zone: str
    next_working_day: str
    basis: str

    @property
    def needs_establishment(self) -> bool:
        """Whether the round must state its establishment's country (an EU profile)."""
        return ESTABLISHMENT in (self.country, self.time_zone)

    def place(self, country: str | None, region: str | None) -> Place | None:
        """The clock's place for a round whose establishment is in `country` (None: not stated)."""
        where = country if self.country == ESTABLISHMENT else self.country
        if where is None:
            return None
        zone = COUNTRY_ZONES.get(where) if self.time_zone == ESTABLISHMENT else self.time_zone
        if zone is None:
            return None
        return Place(where, region if where == country else None, zone)


@dataclass(frozen=True)
class Place:
    """The country (and region, a German Land) whose holidays count, and the legal time zone."""

    country: str
    region: str | None
    time_zone: str

    @property
    def zone_info(self) -> ZoneInfo:
        """The legal time zone."""
        return ZoneInfo(self.time_zone)


@dataclass(frozen=True)
class LegalDeadline:
    """A clock's deadline as the law counts it: its last day and the moment it ends (24:00 local, in UTC), and,
    when that day is not a working day, the next working day and its end."""

    last_day: date
    ends_at: datetime
    extended_day: date | None
    extended_at: datetime | None
    rule: str  # the profile's next_working_day

    def governing(self, reading: str | None) -> datetime:
        """The deadline that governs: the extended one where the rule applies or the round chose it."""
        if self.extended_at is not None and (self.rule == "applies"
                                             or (self.rule == "uncertain" and reading == "extended")):
            return self.extended_at
        return self.ends_at


def parse_jurisdiction(raw: Any, where: str, problems: list[str]) -> Jurisdiction | None:
    """The workflow's `[jurisdiction]` table, validated."""
    label = f"{where}: jurisdiction"
    if not isinstance(raw, dict):
        problems.append(f"{label}: must be a table")
        return None
    for unknown in sorted(set(raw) - JURISDICTION_KEYS):
        problems.append(f"{label}: unknown setting {unknown!r}")
    country = raw.get("country")
    if country != ESTABLISHMENT and country not in supported_countries():
        problems.append(f"{label}: 'country' must be an ISO 3166-1 alpha-2 code the holidays library knows, "
                        f"or \"{ESTABLISHMENT}\"")
    zone = raw.get("time_zone")
    if zone != ESTABLISHMENT and not is_time_zone(zone):
        problems.append(f"{label}: 'time_zone' must be an IANA name (\"Europe/Paris\") or \"{ESTABLISHMENT}\"; "
                        "a legal clock never counts in UTC")
    if zone == ESTABLISHMENT and country != ESTABLISHMENT:
        problems.append(f"{label}: 'time_zone' = \"{ESTABLISHMENT}\" needs 'country' = \"{ESTABLISHMENT}\"")
    rule = raw.get("next_working_day")
    if rule not in NEXT_WORKING_DAY:
        problems.append(f"{label}: 'next_working_day' must be one of {', '.join(NEXT_WORKING_DAY)}")
    basis = raw.get("basis")
    if not isinstance(basis, str) or not basis.strip():
        problems.append(f"{label}: 'basis' must name the law that counts the délais")
    return Jurisdiction(str(country), str(zone), str(rule), str(basis or ""))


@lru_cache(maxsize=1)
def supported_countries() -> dict[str, tuple[str, ...]]:
    """Every country the holidays library knows, with its subdivisions (German Länder: "BY", "NW"...)."""
    return {code: tuple(subdivisions) for code, subdivisions in holidays.list_supported_countries().items()}


def is_time_zone(name: Any) -> bool:
    """Whether `name` is an IANA time zone (and not UTC: a legal clock has a legal time)."""
    if not isinstance(name, str) or not name or name.upper() in {"UTC", "ETC/UTC", "GMT"}:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def last_day(start: datetime, amount: int, unit: str, time_zone: str) -> date:
    """The délai's last day: the event's local day does not count (art. 641 al. 1); months end on the same
    number, else on the month's last day (art. 641 al. 2)."""
    day = start.astimezone(ZoneInfo(time_zone)).date()
    if unit == "days":
        return day + timedelta(days=amount)
    months = day.month - 1 + amount
    year, month = day.year + months // 12, months % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def end_of(day: date, time_zone: str) -> datetime:
    """24:00 of `day` in `time_zone` (art. 642 al. 1), as a UTC moment: the next day's local midnight."""
    return datetime.combine(day + timedelta(days=1), time(0), ZoneInfo(time_zone)).astimezone(UTC)


@lru_cache(maxsize=64)
def _holidays(country: str, region: str | None, year: int) -> holidays.HolidayBase:
    return holidays.country_holidays(country, subdiv=region, years=(year, year + 1))


def is_working_day(day: date, country: str, region: str | None = None) -> bool:
    """Monday to Friday and not a public holiday of the country (or region)."""
    return day.weekday() < 5 and day not in _holidays(country, region, day.year)


def holiday_name(day: date, country: str, region: str | None = None) -> str | None:
    """The public holiday on `day`, if any (for the page's explanation)."""
    return _holidays(country, region, day.year).get(day)


def next_working_day(day: date, country: str, region: str | None = None) -> date:
    """The first working day after `day` (art. 642 al. 2: "le premier jour ouvrable suivant")."""
    following = day + timedelta(days=1)
    while not is_working_day(following, country, region):
        following += timedelta(days=1)
    return following


def count_deadline(start: datetime, amount: int, unit: str, place: Place, rule: str) -> LegalDeadline:
    """A clock of `amount` days or months from `start`, as the law of `place` counts it."""
    last = last_day(start, amount, unit, place.time_zone)
    extended = None
    if not is_working_day(last, place.country, place.region):
        extended = next_working_day(last, place.country, place.region)
    return LegalDeadline(last, end_of(last, place.time_zone), extended,
                         end_of(extended, place.time_zone) if extended else None, rule)
