"""Valid requests for every API route, so matrix tests can walk them all (and notice a new one)."""

from __future__ import annotations

from typing import Any

from consult.api.routing import ROUTES, WRITE_METHODS
from tests.factories import round_payload

#: Placeholder values for rules whose test does not care which row they name.
DEFAULT_IDS = {"section": "system", "job_id": 1, "constituency": "workers", "digest": "0" * 64,
               "organisation_id": 1, "commitment_id": 1, "question_id": 1, "document_id": 1, "release_id": 1,
               "version": 1, "opinion_id": 1, "expert_id": 1, "user_id": 1, "token": "not-a-link",
               "function": "monitoring", "message_id": 1, "worker_id": 1}


def fill(rule: str, ids: dict[str, Any]) -> str:
    """Put ids into a rule's placeholders: <int:round_id> -> 12."""
    ids = {**DEFAULT_IDS, **ids}
    path = rule
    for name, value in ids.items():
        path = path.replace(f"<int:{name}>", str(value)).replace(f"<{name}>", str(value))
    assert "<" not in path, f"no value for a placeholder of {rule}"
    return path


def valid_bodies(world: dict[str, Any], extra_org_id: int) -> dict[str, Any]:
    """A body each write route would accept (None: the route takes no body)."""
    return {
        "create_token": {"name": "script"},
        "revoke_token": None,
        "create_organisation": {"name": "New Union", "constituency": "workers", "country": "FR"},
        "open_round": round_payload(),
        "invite": {"organisation_id": extra_org_id},
        "name_signatory": {"user_id": world["worker"].id, "reason": "Chosen by the union's executive."},
        "set_identity_policy": {"identity_policy": "organisation", "reason": "The union asked for protection."},
        "post_comment": {"section": "system", "body": "Hello"},
        "start": {"reason": "The plan is complete."},
        "extend": {"by": "2d", "reason": "The union asked for time to consult members."},
        "pause": {"reason": "Works council elections."},
        "resume": {"reason": "Elections are over."},
        "hold": {"reason": "Waiting for the ministry's legal opinion."},
        "advance": {"reason": "Every question is answered."},
        "draft_position": {"text": "Pick rates are never used in individual reviews.", "base_version": 0},
        "record_stance": {"stance": "agree_with_reservation", "statement": "Only with an annual audit."},
        "record_stances": {"stances": {"system": {"stance": "agree_with_reservation",
                                                  "statement": "Only with an annual audit."}}},
        "add_commitment": {"description": "Publish an annual audit", "owner_organisation_id": extra_org_id,
                           "kpi": "Audits published", "target": "1 per year", "due_on": "2027-12-31"},
        "freeze": None,
        "sign": {"digest": "0" * 64, "password": "not the password", "reservation": "None."},
        "request_export": {"kind": "pdf"},
        "remove": {"reason": "The union withdrew from the consultation."},
        "end_sessions": None,
        "edit_comment": {"body": "Hello again"},
        "hide_comment": {"reason": "Off topic."},
        "react": {"kind": "agree"},
        "post_update": {"value": "2 audits", "note": "On time.", "evidence": ["https://example.org/a.pdf"]},
        "follow_up": {"title": "Follow-up on training"},
        "give_opinion": {"section": "overall", "verdict": "agree_with_reservations",
                         "reasons": "Only with an annual audit of the monitoring function."},
        "respond_to_opinion": {"reasons": "The audit will be published every year."},
        "decide_consent": {"function": "monitoring", "decision": "given", "reasons": "Under the works agreement."},
        "appoint_expert": {"expert_user_id": world["expert"].id if "expert" in world else world["worker"].id,
                           "firm": "Cabinet Syndex", "reason": "An independent reading of the DPIA.",
                           "brief": "Assess the monitoring functions.", "member_in_charge_user_id": world["worker"].id},
        "record_ruling": {"function": "monitoring", "ruling": "permits_with_conditions", "reference": "ES 1/2027",
                          "terms": "No individual performance figures.", "ruled_on": "2027-02-01"},
        "withdraw_function": {"description": "Monitoring is taken out of the plan."},
        "change_function": {"description": "Monitoring now also records idle time."},
        "record_expert_cost": {"amount_minor": 150000, "currency": "EUR", "description": "Report on the DPIA"},
        "end_expert": {"reason": "The report is delivered."},
        "record_expert_step": {"step": "information_requested", "note": "The DPIA's annexes."},
        "list_affected_workers": {"workers": [{"name": "Ada Picker", "email": "ada.picker@example.org"}]},
        "inform_affected_workers": None,
        "record_reading": {"reading": "extended", "reason": "Our lawyer reads CPC art. 642 as applying."},
        "record_agreement": {"reference": "Accord d'entreprise du 3 mars 2026, art. 4", "length": "45d"},
        "notify_bdese": {"description": "The DPIA and the vendor's documentation, BDESE section 'Technologies'."},
        "transmit_establishment_opinion": {"establishment": "Lyon", "verdict": "disagree",
                                           "reasons": "The monitoring function is disproportionate."},
        # The package's uploads are multipart (tests/package/test_attachment_bad_input.py); the rest take no body.
        "attach_document": None, "add_version": None, "release_package": None, "acknowledge": None,
        "ask": {"section": "system", "body": "Which data does it keep?"},
        "answer": {"answer": "Shift logs only."},
        "withdraw": {"reason": "Answered in the meeting."},
        "invite_person": {"organisation_id": extra_org_id, "display_name": "New Person",
                          "email": "new.person@example.org"},
        "resend_invitation": None,
        "deactivate_person": None,
        "reactivate_person": None,
        "retry_failed_mail": None,
        "update_profile": {"role_title": "Steward"},
        "change_password": {"current_password": "not the password", "new_password": "plum orchard under snow"},
        "forgotten_password": {"email": "nobody@example.org"},
        "set_password": {"token": "not-a-link", "password": "plum orchard under snow"},
    }


def write_routes():
    """Every declared route that changes state."""
    return [r for r in ROUTES if r.method in WRITE_METHODS]


def round_routes():
    """Every declared route under one round."""
    return [r for r in ROUTES if "<int:round_id>" in r.rule]
