"""The open-round form: the AI deployment plan, field by field, and the labels pages use to name constituencies.

Opening a round leads to its people page (consult/rounds/people_pages.py).
"""

from __future__ import annotations

import zoneinfo
from functools import cache
from typing import Any

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_login import login_required
from sqlalchemy import select

from consult.accounts.auth import require_user
from consult.accounts.models import SOCIAL_PARTNERS, Constituency, Organisation, User
from consult.api.session import db_session
from consult.errors import ConsultError, Forbidden
from consult.informing.form_fields import DUTY_FORM_FIELDS, DUTY_FORM_NUMBERS, emotion_choices
from consult.rounds import governance, services
from consult.rounds.plan import COMMITMENT_AREAS, HIGH_RISK_FUNCTIONS, AIFunction, IdentityPolicy
from consult.rounds.schemas import RoundIn
from consult.vocabulary import CONSTITUENCY_NAMES as CONSTITUENCY_LABELS
from consult.vocabulary import FUNCTION_NAMES as FUNCTION_LABELS
from consult.vocabulary import LANGUAGE_NAMES, LANGUAGES
from consult.web import pages
from consult.web.forms import field_errors, flat_values, form_fields, handle_form
from consult.web.labels import stage_name, workflow_name

AREAS = {
    "social_dialogue": (lazy_gettext("Social dialogue"),
                        lazy_gettext("How workers and their representatives take part in decisions about the system.")),
    "skills_training": (lazy_gettext("Skills and training"),
                        lazy_gettext("Training for the people who use the system or whose work it changes.")),
    "safety_health_dignity": (lazy_gettext("Safety, health, autonomy and dignity"),
                              lazy_gettext("Effects on workload, stress, autonomy and respect at work.")),
    "non_discrimination": (lazy_gettext("Non-discrimination"),
                           lazy_gettext("How unfair outcomes for any group of workers are prevented and checked.")),
    "privacy": (lazy_gettext("Privacy"),
                lazy_gettext("What the system knows about workers, and the limits on its use.")),
    "productivity_inclusion": (lazy_gettext("Productivity gains and inclusion (value chain included)"),
                               lazy_gettext("How gains are shared, including with suppliers and contractors.")),
}

IDENTITY_CHOICES = (
    (IdentityPolicy.NAMED.value, lazy_gettext("Named"),
     lazy_gettext("Everyone sees each worker representative's name and union.")),
    (IdentityPolicy.ORGANISATION.value, lazy_gettext("By organisation"),
     lazy_gettext('Other constituencies see "A representative of" the union, never the person.')),
    (IdentityPolicy.PSEUDONYMOUS.value, lazy_gettext("Pseudonymous"),
     lazy_gettext('Other constituencies see "Worker representative 3": neither the person nor the union. '
                  "Worker representatives still see each other's names.")),
)


#: The open-round form's fields: label and help text by dotted name (the summary of problems names them too).
ROUND_FIELDS: dict[str, tuple[Any, Any]] = {
    "title": (lazy_gettext("Title of the round"),
              lazy_gettext("What participants see first, e.g. \"Consultation on RosterAI at the Leeds depot\".")),
    "employer_organisation_id": (lazy_gettext("Employer"), lazy_gettext("The employer whose plan this is.")),
    "workflow": (lazy_gettext("Workflow"),
                 lazy_gettext("The stages the round goes through. The fast track serves changes to a system "
                              "that was already consulted on.")),
    "identity_policy": (lazy_gettext("How worker representatives are shown"),
                        lazy_gettext("It protects worker representatives who speak up. Only the secretariat "
                                     "chooses a weaker one, and only before any of them has written.")),
    "language": (lazy_gettext("Language of the round"),
                 lazy_gettext("The language of the outcome document and of reminders.")),
    "time_zone": (lazy_gettext("Time zone"),
                  lazy_gettext("Deadlines are planned and shown in this zone; type an IANA name such as "
                               "Europe/Paris. Leave it blank under a legal profile: its law's time zone is "
                               "used.")),
    "establishment_country": (lazy_gettext("Country of the establishment"),
                              lazy_gettext("Two letters (FR, DE, ES...). The legal profiles for the EU count their "
                                           "time limits in this country's legal time, with its public holidays; "
                                           "under fr-cse leave it blank or write FR.")),
    "establishment_region": (lazy_gettext("Region of the establishment (optional)"),
                             lazy_gettext("Where public holidays are regional: the German Land's code (BY for "
                                          "Bavaria, NW for North Rhine-Westphalia).")),
    "establishments": (lazy_gettext("Establishment CSEs consulted too (fr-cse, optional)"),
                       lazy_gettext("A consultation at central and establishment level (Code du travail R2312-6): "
                                    "one establishment per line. Each establishment CSE's opinion is due 7 days "
                                    "before the central CSE's deadline.")),
    "is_public": (lazy_gettext("Public round"),
                  lazy_gettext("The signed outcome is published in the public registry. The discussion itself "
                               "stays among participants.")),
    "secretariat_sees_caucus": (lazy_gettext("The secretariat may read the caucuses"),
                                lazy_gettext("Otherwise each constituency's caucus is read by that constituency "
                                             "only.")),
    "required_constituencies": (lazy_gettext("Constituencies that sign the outcome"),
                                lazy_gettext("Each of them names a signatory; the round cannot be signed off "
                                             "without them.")),
    "stage_lengths": (lazy_gettext("Stage lengths (optional)"),
                      lazy_gettext('Leave a stage blank to keep its usual length. Write "21d", "36h" or "90m".')),
    "plan.system_name": (lazy_gettext("Name of the system"), None),
    "plan.provider": (lazy_gettext("Provider"), lazy_gettext("Who builds or sells the system.")),
    "plan.purpose": (lazy_gettext("Purpose"), lazy_gettext("What the system is for, in plain words.")),
    "plan.functions": (lazy_gettext("Algorithmic-management functions"),
                       lazy_gettext("Tick every function the system performs.")),
    "plan.declares_high_risk": (lazy_gettext("We treat this system as high-risk under the EU AI Act"),
                                lazy_gettext("Tick this if the system is high-risk for another reason, or if in "
                                             "doubt.")),
    "plan.workers_affected": (lazy_gettext("Number of workers affected"), None),
    "plan.worker_groups": (lazy_gettext("Groups of workers"),
                           lazy_gettext("For example warehouse operatives, agency staff, drivers.")),
    "plan.sites": (lazy_gettext("Sites"), lazy_gettext("Where the system is used.")),
    "plan.data_collected": (lazy_gettext("Worker data collected"),
                            lazy_gettext("Every kind of data about workers the system collects or receives.")),
    "plan.data_retention": (lazy_gettext("How long the data are kept"), None),
    "plan.data_access": (lazy_gettext("Who sees the data"), None),
    "plan.human_oversight": (lazy_gettext("Human oversight"),
                             lazy_gettext("Who checks the system's decisions, and how.")),
    "plan.contest_route": (lazy_gettext("Route to contest a decision"),
                           lazy_gettext("How a worker challenges a decision the system made or prepared.")),
    "plan.rollout_starts_on": (lazy_gettext("Rollout starts on"), None),
    "plan.rollout_completes_on": (lazy_gettext("Rollout completes on (optional)"), None),
    "plan.country": (lazy_gettext("Country (optional)"), lazy_gettext("Two-letter ISO code in capitals, e.g. DE.")),
    "plan.sector": (lazy_gettext("Sector (optional)"), lazy_gettext("For example logistics, retail, health care.")),
    "plan.impact_statements": (lazy_gettext("Impact statements"),
                               lazy_gettext("One for each of the six commitment areas: each is discussed as a "
                                            "section of its own.")),
    **{f"plan.impact_statements.{key}": texts for key, texts in AREAS.items()},
    **DUTY_FORM_FIELDS,
}

#: Form fields that hold lists, and those sent as numbers, in the open-round form.
ROUND_LISTS = ("plan.functions", "required_constituencies")
ROUND_NUMBERS = ("plan.workers_affected", "employer_organisation_id", *DUTY_FORM_NUMBERS)


@pages.app_context_processor
def _round_setup_helpers() -> dict[str, Any]:
    """Lets the main navigation ask who may open a round, and any page name a constituency."""
    return {"may_open_rounds": services.may_open_rounds, "constituency_labels": CONSTITUENCY_LABELS}


@cache
def _time_zones() -> list[str]:
    return sorted(zoneinfo.available_timezones())


def _timed_stages(workflow) -> list:
    """Stages whose length a round may agree: not a legal clock's (the law sets it, consult/opinions/clocks.py)."""
    return [s for s in workflow.stages if not s.is_terminal and s.on_deadline != "manual" and s.clock is None
            and s.duration is not None]  # a stage without a deadline (held until its gate holds) is not timed


def _render_new(user: User, values: dict[str, Any], error: ConsultError | None = None):
    session = db_session()
    employers = []
    if user.is_secretariat:
        employers = [(o.id, o.name) for o in session.scalars(select(Organisation).where(
            Organisation.constituency == Constituency.EMPLOYERS).order_by(Organisation.name))]
    workflows = session.info["workflows"]
    stage_lengths: dict[str, dict[str, Any]] = {}
    for workflow in workflows.values():
        for stage in _timed_stages(workflow):
            entry = stage_lengths.setdefault(stage.key, {"title": stage_name(stage.key, stage.title), "defaults": []})
            entry["defaults"].append((workflow_name(workflow.key, workflow.title),
                                      f"{stage.duration.amount}{stage.duration.unit[0]}"))
    return render_template(
        "new_round.html", user=user, employers=employers, values=values,
        workflows=[(w.key, workflow_name(w.key, w.title)) for w in workflows.values()],
        errors=field_errors(error.fields) if error else {}, error=error, time_zones=_time_zones(), fields=ROUND_FIELDS,
        functions=[(f.value, FUNCTION_LABELS[f], _("high-risk") if f in HIGH_RISK_FUNCTIONS else None)
                   for f in AIFunction],
        areas=[(key, *AREAS[key]) for key in COMMITMENT_AREAS],
        identity_choices=IDENTITY_CHOICES if user.is_secretariat else IDENTITY_CHOICES[2:],  # weaker: secretariat
        languages=[(c, LANGUAGE_NAMES[c]) for c in LANGUAGES],
        partners=[(c.value, CONSTITUENCY_LABELS[c], None) for c in SOCIAL_PARTNERS], stage_lengths=stage_lengths,
        emotion_choices=emotion_choices(),
    ), error.status if error else 200


def _round_form() -> dict[str, Any]:
    form = form_fields(nested=True, lists=ROUND_LISTS, numbers=ROUND_NUMBERS)
    # Present but empty, so the schema names each missing plan field and area instead of "plan" as a whole.
    plan = form.setdefault("plan", {})
    if isinstance(plan, dict):
        plan.setdefault("impact_statements", {})
    # Unticking every constituency must not fall back to the default of all three.
    form.setdefault("required_constituencies", [])
    if isinstance(form.get("establishments"), str):  # one per line in the text area: a list, as the API takes it
        form["establishments"] = [line.strip() for line in form["establishments"].splitlines() if line.strip()]
    return form


@pages.route("/rounds/new", methods=["GET", "POST"])
@login_required
def new_round_page():
    """The open-round form: the AI deployment plan, field by field; opening leads to the round's people."""
    user = require_user()
    if not services.may_open_rounds(user):
        raise Forbidden(_("Only an employer representative or the secretariat opens a round."))
    if request.method == "GET":
        defaults = {"workflow": "standard", "identity_policy": governance.DEFAULT_POLICY.value, "time_zone": "",
                    "language": user.language if user.language in LANGUAGES else "en",
                    "required_constituencies": [c.value for c in SOCIAL_PARTNERS]}
        return _render_new(user, defaults)
    return handle_form(RoundIn(), lambda session, data: services.open_round(session, user, data),
                       form=_round_form(),
                       done=lambda round: url_for("pages.round_people_page", round_id=round.id),
                       again=lambda posted, error: _render_new(user, flat_values(posted), error),
                       saved=_("The round is open, as a draft. Invite the organisations that take part."))
