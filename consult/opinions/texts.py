"""The outcome document's wording for the legal procedure, in English; translated with the pages' catalogues."""

from __future__ import annotations

from consult.vocabulary import N_  # consult/documents/wording.py translates these when a document renders

PROCEDURE_TEXTS: dict[str, str] = {
    "opinions": N_("Formal opinions and reasoned responses"),
    "overall": N_("The plan as a whole"),
    "agree_with_reservations": N_("agrees with reservations"),
    "deemed_negative": N_("deemed to have given a negative opinion"),
    "deemed_note": N_("Recorded automatically when the legal time limit ran out"),
    "signed_off_by": N_("Signed off by"),
    "response": N_("The employer's reasoned response"),
    "no_response": N_("No reasoned response was given."),
    "consents": N_("Consent per function"),
    "decision": N_("Decision"),
    "next_step": N_("Next step"),
    "consent_given": N_("consent given"),
    "consent_refused": N_("consent refused"),
    "consent_undecided": N_("not decided: not agreed"),
    "legal_basis": N_("Legal basis"),
    "ruling": N_("Ruling of the conciliation board"),
    "ruling_permits": N_("permits the function"),
    "ruling_permits_with_conditions": N_("permits the function on conditions"),
    "ruling_forbids": N_("forbids the function"),
    "plan_revisions": N_("Versions of the plan"),
    "revision_withdrawn": N_("withdrawn by the employer"),
    "revision_changed": N_("changed substantially: consent asked again"),
    "agreement_signed_by": N_("signed by"),
    "experts": N_("Experts"),
    "expert_for": N_("Appointed by"),
    "brief": N_("Brief"),
    "why": N_("Why"),
    "member_in_charge": N_("Member in charge"),
    "costs": N_("Costs"),
    "employer_bears": N_("Above the workflow's threshold of workers: the employer bears the expert's costs."),
}
