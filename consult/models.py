"""Every model module, imported together so the metadata is complete (for migrations and checks)."""

import importlib

MODEL_MODULES = (
    "consult.accounts.models",
    "consult.rounds.models",
    "consult.comments.models",
    "consult.events.models",
    "consult.timeline.models",
    "consult.outcomes.models",
    "consult.registry.models",
    "consult.notifications.models",
    "consult.opinions.models",
    "consult.package.models",
    "consult.questions.models",
    "consult.informing.models",
    "consult.public_ids",
)


def import_all_models() -> None:
    """Import each feature's models so that Base.metadata knows every table."""
    for module in MODEL_MODULES:
        importlib.import_module(module)
