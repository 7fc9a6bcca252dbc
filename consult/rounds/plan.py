"""The vocabulary of an AI deployment plan: functions, commitment areas, the EU AI Act high-risk rule."""

from enum import StrEnum


class AIFunction(StrEnum):
    """An algorithmic-management function the system performs."""

    RECRUITMENT = "recruitment"
    TASK_ALLOCATION = "task_allocation"
    SCHEDULING = "scheduling"
    MONITORING = "monitoring"
    PERFORMANCE_EVALUATION = "performance_evaluation"
    DISCIPLINE_DISMISSAL = "discipline_dismissal"
    PAY = "pay"


# EU AI Act, Annex III point 4: (a) recruitment and selection; (b) decisions on terms of the work
# relationship, promotion and termination, task allocation based on behaviour or traits, and the
# monitoring and evaluation of performance and behaviour. Pay decisions are terms of the relationship.
# Rota generation alone is not listed: a plan that only schedules is flagged only if the employer says so.
HIGH_RISK_FUNCTIONS = frozenset(AIFunction) - {AIFunction.SCHEDULING}

#: The sections every plan is discussed in: the system itself, then the six commitment areas.
SECTIONS: tuple[tuple[str, str], ...] = (
    ("system", "The system"),
    ("social_dialogue", "Social dialogue"),
    ("skills_training", "Skills and training"),
    ("safety_health_dignity", "Safety, health, autonomy and dignity"),
    ("non_discrimination", "Non-discrimination"),
    ("privacy", "Privacy"),
    ("productivity_inclusion", "Productivity gains and inclusion (value chain included)"),
)
COMMITMENT_AREAS = tuple(key for key, _ in SECTIONS[1:])


class IdentityPolicy(StrEnum):
    """How worker representatives are shown to the other constituencies of a round."""

    NAMED = "named"
    ORGANISATION = "organisation"
    PSEUDONYMOUS = "pseudonymous"


def is_high_risk(functions: list[str], declared: bool = False) -> bool:
    """Whether the plan falls under the AI Act's high-risk employment uses, or the employer says it does."""
    return declared or any(function in HIGH_RISK_FUNCTIONS for function in functions)
