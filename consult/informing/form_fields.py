"""The open-round form's EU-law fields: labels and help by dotted name (merged into consult/rounds/setup_pages.py)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext

DUTY_FORM_FIELDS: dict[str, tuple[Any, Any]] = {
    "plan.emotion_recognition": (
        lazy_gettext("Does the system infer the emotions of people at work?"),
        lazy_gettext("The EU AI Act prohibits it at the workplace (Art. 5(1)(f)), except for medical or safety "
                     "reasons: a plan that does is refused.")),
    "plan.deployer_checklist.oversight_by": (
        lazy_gettext("Human oversight assigned to"),
        lazy_gettext("AI Act Art. 26(2): the people who oversee the system, with the competence, training and "
                     "authority to do so. Required of a high-risk plan under the EU AI Act profile.")),
    "plan.deployer_checklist.log_retention_months": (
        lazy_gettext("Logs kept for (months)"), lazy_gettext("AI Act Art. 26(6): at least six months.")),
    "plan.deployer_checklist.dpia_reference": (
        lazy_gettext("Data-protection impact assessment"),
        lazy_gettext("GDPR Art. 35: its reference or where it can be read.")),
    "plan.deployer_checklist.fria_applies": (
        lazy_gettext("We are a public body, or a private entity providing public services"),
        lazy_gettext("AI Act Art. 27: then a fundamental-rights impact assessment is due before deployment.")),
    "plan.deployer_checklist.fria_reference": (
        lazy_gettext("Fundamental-rights impact assessment (where Art. 27 applies)"), None),
    "plan.monitored_data": (
        lazy_gettext("Data and actions monitored (platform work)"),
        lazy_gettext("Directive (EU) 2024/2831 Art. 9(1): the categories of data and actions the monitoring "
                     "systems monitor, supervise or evaluate.")),
    "plan.account_decisions": (
        lazy_gettext("Decisions and their grounds (platform work)"),
        lazy_gettext("Art. 9(1): the decisions the systems take or support, including restricting, suspending or "
                     "terminating an account or refusing pay, and their grounds.")),
    "plan.platform_workers_in_member_state": (
        lazy_gettext("Platform workers in the Member State (platform work)"),
        lazy_gettext("Art. 13(2): above 250 the platform bears the cost of the representatives' expert. Count "
                     "every platform worker in the country, not only those the plan affects.")),
    "plan.impact_assessment": (
        lazy_gettext("Impact assessment shared with the representatives (platform work)"),
        lazy_gettext("Art. 8: the data-protection impact assessment and how it is provided to them.")),
}
DUTY_FORM_NUMBERS = ("plan.platform_workers_in_member_state", "plan.deployer_checklist.log_retention_months")


def emotion_choices() -> list[tuple[str, Any]]:
    """The answers to the emotion-recognition question."""
    return [("none", lazy_gettext("No")), ("at_work", lazy_gettext("Yes, at the workplace")),
            ("medical_or_safety", lazy_gettext("Yes, for medical or safety reasons only"))]
