"""Demo data: a logistics employer's AI shift-scheduling and productivity-monitoring plan under consultation."""

from __future__ import annotations

import secrets
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from consult.accounts.models import Organisation, User
from consult.accounts.services import create_organisation, create_user
from consult.comments.schemas import CommentIn
from consult.comments.services import post_comment
from consult.demos import de_betrvg
from consult.demos.concluded import load_concluded_round
from consult.demos.eu_ai_act import load_eu_ai_act_round
from consult.demos.fr_cse import load_french_round
from consult.notifications.render import mail_context
from consult.rounds.schemas import RoundIn
from consult.rounds.services import invite_organisation, name_signatory, open_round
from consult.timeline.services import advance_round, start_round

ORGANISATIONS = [
    ("Northgate Logistics", "employers", "DE"),
    ("United Transport and Logistics Workers' Union", "workers", "DE"),
    ("Northgate Logistics Works Council", "workers", "DE"),
    ("Federal Ministry of Labour: AI at Work Unit", "government", "DE"),
    ("Social Dialogue Secretariat", "secretariat", "DE"),
    ("Institute for Work and Technology", "observers", "DE"),
]
PEOPLE = [
    ("claire.martin@northgate.example", "Claire Martin", "HR Director", 0),
    ("amira.haddad@utlwu.example", "Amira Haddad", "Union Shop Steward", 1),
    ("jonas.weber@northgate-wc.example", "Jonas Weber", "Works Council Chair", 2),
    ("pedro.alves@labour.example", "Pedro Alves", "Labour Inspector", 3),
    ("sam.okafor@dialogue.example", "Sam Okafor", "Secretariat Officer", 4),
    ("lin.chen@iwt.example", "Lin Chen", "Researcher", 5),
]
#: How a demo log-in says whose side a person is on ("union shop steward, workers", "HR director, employer").
SIDE = {"employers": "employer", "workers": "workers", "government": "government", "secretariat": "secretariat",
        "observers": "observer"}
PLAN = {
    "system_name": "ShiftPilot",
    "provider": "Optimal Workforce Systems GmbH",
    "purpose": "Generate weekly shift rosters for the three distribution centres from forecast parcel volumes, "
               "and measure pick rates per worker to rebalance teams during a shift.",
    "functions": ["scheduling", "task_allocation", "monitoring", "performance_evaluation"],
    "declares_high_risk": False,
    "workers_affected": 1850,
    "worker_groups": "Warehouse pickers and packers, forklift drivers, shift leads; agency workers included",
    "sites": "Distribution centres Hamburg-Billbrook, Hanover-Lahe and Kassel-Waldau",
    "data_collected": "Scanner events (item, time, location), shift attendance, availability preferences, "
                      "pick and pack rates per person and hour",
    "data_retention": "Scanner events 90 days; aggregated performance figures 12 months",
    "data_access": "Shift leads see their team's figures; HR sees monthly aggregates; the provider sees "
                   "pseudonymised data for support only",
    "human_oversight": "Shift leads approve every roster before publication and may override any allocation",
    "contest_route": "A worker may contest a roster or an evaluation with the shift lead within 14 days, then "
                     "with the works council's joint committee",
    "rollout_starts_on": "2027-03-01",
    "rollout_completes_on": "2027-09-30",
    "country": "DE",
    "sector": "Logistics and warehousing",
    "impact_statements": {
        "social_dialogue": "The works council co-determines the configuration under the Works Constitution Act.",
        "skills_training": "Every shift lead gets two days of training; workers get a one-hour briefing.",
        "safety_health_dignity": "Pick-rate targets will not be shown on personal handsets during a shift.",
        "non_discrimination": "Rosters respect declared care duties; the provider audits outcomes by age and sex.",
        "privacy": "No location tracking outside working time; no biometric data.",
        "productivity_inclusion": "Half of the measured productivity gain funds a training budget.",
    },
}
COMMENTS = [
    (0, "system", "plenary", "ShiftPilot replaces the spreadsheet rosters. Shift leads keep the final say."),
    (1, "safety_health_dignity", "plenary",
     "How will pick rates be used in **performance reviews**? Workers fear being ranked against each other."),
    (3, "privacy", "plenary", "Is the 90-day retention of scanner events proportionate to the stated purpose?"),
    (2, "safety_health_dignity", "caucus",
     "Caucus: we should ask for a written ban on individual rankings before we agree to anything."),
]


def _credentials_path(app: Flask) -> Path:
    return Path(app.instance_path) / "demo-credentials.txt"


def load_demo(app: Flask) -> str:
    """Load the demo round once (later calls change nothing) and return the log-ins to print."""
    db = app.extensions["consult.db"]
    path = _credentials_path(app)
    with db.transaction() as session:
        if session.scalar(select(Organisation.id).where(Organisation.name == ORGANISATIONS[0][0])):
            return path.read_text() if path.exists() else "The demo data is loaded already."
        orgs = [create_organisation(session, name=n, constituency=c, country=k) for n, c, k in ORGANISATIONS]
        lines = ["Demo log-ins (also kept in instance/demo-credentials.txt):"]
        people: list[User] = []
        passwords: dict[int, str] = {}
        for email, name, role, org in PEOPLE:
            password = secrets.token_urlsafe(9)
            people.append(create_user(session, email=email, display_name=name, password=password,
                                      organisation_id=orgs[org].id, role_title=role))
            session.flush()
            passwords[people[-1].id] = password
            constituency = orgs[org].constituency.value
            role_words = " ".join(w if w.isupper() else w.lower() for w in role.split())  # "HR director"
            who = f"{name}: {role_words}, {SIDE[constituency]} ({orgs[org].name})"
            lines.append(f"  {constituency:<12} {email:<36} {password:<14} {who}")
        employer, secretariat = people[0], people[4]
        round = open_round(session, employer, RoundIn().load({
            "title": "ShiftPilot: AI rostering and productivity monitoring at Northgate Logistics",
            "plan": PLAN, "identity_policy": "pseudonymous", "time_zone": "Europe/Berlin", "is_public": True,
        }))
        for org in orgs[1:]:
            invite_organisation(session, employer, round.id, org.id)
        for constituency, person in (("employers", people[0]), ("workers", people[1]), ("government", people[3])):
            name_signatory(session, secretariat, round.id, constituency, person.id)
        # The demo starts mid-consultation, where the threads are open.
        start_round(session, secretariat, round.id, "The plan is complete.")
        advance_round(session, secretariat, round.id, "The employer answered every question early.")
        for author, section, channel, body in COMMENTS:
            post_comment(session, people[author], round.id,
                         CommentIn().load({"section": section, "body": body, "channel": channel}))
        load_french_round(session, PLAN, employer, (people[1], people[2]), people[3], secretariat, people[5], orgs[1:5])
        de_betrvg.load(session, PLAN, employer, orgs[2], people[2], secretariat)
        with mail_context(app):  # its information letters are rendered, as mail is, in an application context
            load_eu_ai_act_round(session, orgs, people)
        load_concluded_round(session, PLAN, orgs, people, passwords)
    text = "\n".join(lines) + "\n"
    path.write_text(text)
    path.chmod(0o600)
    return text
