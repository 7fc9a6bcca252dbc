"""Where a round's establishment is: the country (and German Land) whose law, holidays and legal time count.

A legal profile fixes its jurisdiction (fr-cse: France, Paris time); an EU profile takes the establishment's
country, which the round must then state. A round opened without a time zone takes its jurisdiction's: a legal
clock never counts in UTC. A round under a profile that is not a legal procedure (standard, fast-track) by an
employer in a country that has one gets a warning naming it.
"""

from __future__ import annotations

from typing import Any, cast

from flask_babel import gettext

from consult.errors import Invalid
from consult.workflow.calendar import ESTABLISHMENT, ZONE_COUNTRIES, supported_countries
from consult.workflow.definitions import Workflow


def check_establishment(workflow: Workflow, data: dict[str, Any]) -> str:
    """The round's time zone once its establishment is checked; 422 for a country or Land the law cannot place."""
    country, region = data.get("establishment_country"), data.get("establishment_region")
    if country is not None and country not in supported_countries():
        raise Invalid(gettext("Unknown establishment country."),
                      fields={"establishment_country": [gettext("Use an ISO 3166-1 alpha-2 code, e.g. FR or DE.")]})
    if region is not None and (country is None or region not in supported_countries()[country]):
        raise Invalid(gettext("Unknown region for this country."),
                      fields={"establishment_region": [gettext("Use the code of a region of the establishment's "
                                                               "country, e.g. BY for Bavaria.")]})
    jurisdiction = workflow.legal.jurisdiction
    if jurisdiction is None:
        return data.get("time_zone") or "UTC"
    place = jurisdiction.place(country, region)
    if place is None:
        message = gettext("This workflow follows the law of the establishment's country: state it (ISO 3166-1 "
                          "alpha-2, e.g. FR).") if jurisdiction.country == ESTABLISHMENT else gettext(
            "The legal clock cannot be placed in this country's legal time.")
        raise Invalid(message, fields={"establishment_country": [message]})
    return data.get("time_zone") or place.time_zone


def country_of(country: str | None, time_zone: str | None) -> str | None:
    """The establishment's country as stated, else the one whose legal time the round keeps."""
    return country or ZONE_COUNTRIES.get(time_zone or "")


def legal_profiles_for(workflows: dict[str, Workflow], country: str | None) -> list[str]:
    """The legal profiles of a country (fr-cse for FR, de-betrvg for DE), by key."""
    return sorted(key for key, workflow in workflows.items()
                  if workflow.legal.jurisdiction is not None and workflow.legal.jurisdiction.country == country)


def profile_warning(workflows: dict[str, Workflow], workflow: Workflow, country: str | None,
                    time_zone: str | None) -> str | None:
    """The warning for a round under a workflow that is not a legal procedure in a country that has one."""
    if workflow.legal.jurisdiction is not None:
        return None
    where = country_of(country, time_zone)
    profiles = legal_profiles_for(workflows, where)
    if not profiles:
        return None
    return cast(str, gettext(  # flask_babel is untyped
        "%(workflow)s is not a legal procedure: in %(country)s the law's information and consultation "
        "follows %(profiles)s. Its stage lengths (information in a few days) may not meet the law; open "
        "the round under %(profiles)s, or check with your lawyer.",
        workflow=workflow.title or workflow.key, country=where, profiles=", ".join(profiles)))
