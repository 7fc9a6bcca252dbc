"""The domain's words, once: the languages, the translation marker, and the names of the codes records keep.

Records keep codes (`privacy`, `monitoring`, `workers`, `fr`); people read their names, in the page's language.
The names are here once, for every page, mail and filter (consult/web/labels.py shows them in templates); the
outcome document has its own wording, translated when it renders (consult/documents/wording.py).

Kernel: imports nothing from consult, so any layer may read it. pybabel finds the strings by their markers
(`_l`, `N_`: babel.cfg, consult/web/catalogues.py), wherever they are.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l


def N_(text: str) -> str:  # noqa: N802 (gettext's marker name: pybabel extracts it)
    """Marks a text for the catalogues without translating it: whoever shows it translates it then (a schema's
    message when it loads input, the rule table on the people page, a document when it renders)."""
    return text


#: The languages of the pages, the mails, the rounds and their documents; anything else falls back to English.
LANGUAGES = ("en", "fr", "es")
#: Each language named in its own language, as the language switcher and the round form offer them.
LANGUAGE_NAMES = {"en": "English", "fr": "Français", "es": "Español"}

#: The outcome's sections (consult/rounds/plan.py's SECTIONS keeps their English titles).
SECTION_NAMES = {
    "system": _l("The system"),
    "social_dialogue": _l("Social dialogue"),
    "skills_training": _l("Skills and training"),
    "safety_health_dignity": _l("Safety, health, autonomy and dignity"),
    "non_discrimination": _l("Non-discrimination"),
    "privacy": _l("Privacy"),
    "productivity_inclusion": _l("Productivity gains and inclusion (value chain included)"),
}
#: The algorithmic-management functions a plan may cover (consult/rounds/plan.py's AIFunction).
FUNCTION_NAMES = {
    "recruitment": _l("Recruitment and selection (screening applicants, shortlisting)"),
    "task_allocation": _l("Task allocation"),
    "scheduling": _l("Scheduling (rotas and shifts)"),
    "monitoring": _l("Monitoring of work or behaviour"),
    "performance_evaluation": _l("Performance evaluation"),
    "discipline_dismissal": _l("Discipline or dismissal"),
    "pay": _l("Pay"),
}
#: The shipped workflows' stages (a deployer's own workflow names its stages in its file).
STAGE_NAMES = {
    "draft": _l("Draft"),
    "information": _l("Information"),
    "consultation": _l("Consultation"),
    "caucus": _l("Caucus"),
    "drafting": _l("Drafting"),
    "conciliation": _l("Conciliation board (Einigungsstelle)"),
    "sign_off": _l("Sign-off"),
    "concluded": _l("Concluded"),
    "response": _l("The employer's reasoned response"),
}
#: The constituencies (consult/accounts/models.py's Constituency).
CONSTITUENCY_NAMES = {
    "workers": _l("Workers"), "employers": _l("Employers"), "government": _l("Government"),
    "secretariat": _l("Secretariat"), "observers": _l("Observers"),
}
#: The shipped workflows (workflows/*.toml).
WORKFLOW_NAMES = {"standard": _l("Standard consultation"), "fast-track": _l("Fast track"),
                  "fr-cse": _l("France: consultation of the CSE (Code du travail)"),
                  "de-betrvg": _l("Germany: works council co-determination (BetrVG)"),
                  "eu-ai-act": _l("EU: AI Act deployer information (Art. 26(7))"),
                  "platform-work": _l("EU: Platform Work Directive (Art. 9 and 13)")}
#: The identity policies (consult/rounds/plan.py's IdentityPolicy).
POLICY_NAMES = {"named": _l("named"), "organisation": _l("organisation"), "pseudonymous": _l("pseudonymous")}
