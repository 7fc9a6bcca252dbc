"""The governance table's rows: who may take each action in a round, in which phases, on what conditions.

`consult/rounds/governance.py` reads it (`require`, `may`) and renders it (the people page, docs/rules.md); this
module holds only the data, so that a newcomer reads every rule of the product in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from consult.vocabulary import N_  # the table's texts: the people page translates them


class Phase(StrEnum):
    """Where a round stands, as far as who takes part is concerned."""

    UNDER_WAY = "under_way"  # from the draft to sign-off, while no outcome version stands frozen
    FROZEN = "frozen"  # a frozen (or signed) version of the outcome stands
    CONCLUDED = "concluded"  # the workflow's last stage: the record is read-only


class Role(StrEnum):
    """A person's part in a round, for the governance table."""

    SECRETARIAT = "secretariat"
    EMPLOYER = "employer"  # the employer whose plan the round is about
    EMPLOYERS = "employers"  # any other employers' organisation invited (an association, a federation)
    WORKERS = "workers"
    GOVERNMENT = "government"
    OBSERVERS = "observers"


YES = "yes"
OWN = "own"  # only for the person's own constituency
#: Whom a row's stage is asked for (`Rule.opens_for`): the constituency acted for (named, else the viewer's own),
#: or, where the secretariat records a party's decision on its behalf, any party the stage opens it to.
ACTED_FOR = "the constituency acted for"
ANY_PARTY = "any party"
PARTIES = ("workers", "employers", "government")


@dataclass(frozen=True)
class Rule:
    """One row of the governance table."""

    action: str
    title: str
    who: dict[Role, str]  # role -> YES or OWN; a role not listed may never take the action
    phases: frozenset[Phase]
    conditions: tuple[str, ...]  # what must also hold, in words: each is checked by the service, by name
    refused: str  # the 403 message
    #: Workflow actions (consult/workflow/engine.py) of which the round's current stage must open one to the
    #: constituency (409 naming the stage, or the pause, if none); the first names the refusal. Empty: any stage.
    opens: tuple[str, ...] = ()
    #: ACTED_FOR, or ANY_PARTY: the secretariat, acting on a party's behalf, passes where the stage opens the
    #: action to any party (the service then asks the stage for the party it names).
    opens_for: str = ACTED_FOR

    def grant(self, role: Role | None) -> str | None:
        """What this role may do under the rule (None: never)."""
        return self.who.get(role) if role is not None else None


_UNTIL_FROZEN = frozenset({Phase.UNDER_WAY})
_UNTIL_CONCLUDED = frozenset({Phase.UNDER_WAY, Phase.FROZEN})
_PARTIES_OWN = {Role.EMPLOYER: OWN, Role.EMPLOYERS: OWN, Role.WORKERS: OWN, Role.GOVERNMENT: OWN}
_PARTIES = {Role.EMPLOYER: YES, Role.EMPLOYERS: YES, Role.WORKERS: YES, Role.GOVERNMENT: YES}
_EVERYONE = {role: YES for role in Role}
_SECRETARIAT = {Role.SECRETARIAT: YES}
#: A plenary comment counts as the first of these the stage opens (in information: a question or an answer).
_PLENARY = ("comment", "ask", "answer", "comment_draft")

GOVERNANCE: tuple[Rule, ...] = (
    Rule("invite", N_("Invite an organisation"), {Role.SECRETARIAT: YES, Role.EMPLOYER: YES}, _UNTIL_FROZEN,
         (N_("Its people see the round as soon as it is invited."),),
         "Only the employer or the secretariat of this round invites organisations."),
    Rule("reinvite", N_("Invite a removed organisation again"), {Role.SECRETARIAT: YES}, _UNTIL_FROZEN,
         (N_("Only the secretariat undoes a removal."),),
         "Only the secretariat invites a removed organisation again."),
    Rule("remove", N_("Remove an organisation"), {Role.SECRETARIAT: YES}, _UNTIL_FROZEN,
         (N_("With a reason, shown to every participant."),
          N_("Never the employer whose plan the round is about."),
          N_("Never the last organisation of a constituency that signs."),
          N_("Never the round's last secretariat: the secretariat can never be locked out.")),
         "Only the secretariat of this round removes organisations."),
    Rule("name_signatory", N_("Name or replace a constituency's signatory"),
         {Role.SECRETARIAT: YES, **_PARTIES_OWN}, _UNTIL_CONCLUDED,
         (N_("Each party names its own signatory; the secretariat may do it on its behalf."),
          N_("A replacement says why; the reason is recorded in its event."),
          N_("Refused once that constituency has signed the current version of the outcome.")),
         "A constituency names its own signatory, or the secretariat does on its behalf."),
    Rule("strengthen_identity_policy", N_("Make the identity policy stronger"),
         {Role.SECRETARIAT: YES, Role.WORKERS: YES}, _UNTIL_FROZEN,
         (N_("Named, then by organisation, then pseudonymous: the workers' side may ask for more protection."),
          N_("With a reason, shown to every participant.")),
         "Only the secretariat, or the workers' side asking for more protection, changes the identity policy."),
    Rule("weaken_identity_policy", N_("Make the identity policy weaker"), {Role.SECRETARIAT: YES}, _UNTIL_FROZEN,
         (N_("Only while no worker representative has written or done anything in the round: a weaker policy "
             "would unmask what was written under the stronger one."),
          N_("With a reason, shown to every participant.")),
         "Only the secretariat makes the identity policy weaker."),
    Rule("give_opinion", N_("Give a constituency's formal opinion"), _PARTIES_OWN, _UNTIL_FROZEN,
         (N_("Signed off by that constituency's named signatory, in a stage that opens opinions to it."),
          N_("A formal opinion stands as given; at a legal clock's expiry the law may deem it given.")),
         "Each party gives its own formal opinion, through its named signatory.", opens=("opinion",)),
    Rule("respond_to_opinion", N_("Answer an opinion with a reasoned response"), {Role.EMPLOYER: YES},
         _UNTIL_FROZEN,
         (N_("Once per opinion, with the reasons, in a stage that opens responses."),),
         "Only the employer whose plan the round is about answers an opinion.", opens=("respond",)),
    Rule("decide_consent", N_("Give or refuse consent for a function of the plan"), _PARTIES_OWN, _UNTIL_FROZEN,
         (N_("Only the constituency the workflow names (de-betrvg: the works council), through its signatory."),
          N_("A refusal says why; the function stays not agreed and the workflow names the next step.")),
         "Only the constituency the workflow names decides consent, through its signatory.", opens=("consent",)),
    Rule("record_ruling", N_("Record the conciliation board's ruling on a function"), {Role.SECRETARIAT: YES},
         _UNTIL_CONCLUDED,
         (N_("Where consent per function is refused or undecided (de-betrvg: BetrVG §87(2)), once per function, "
             "with the board's reference, date and terms; the ruling replaces consent."),),
         "Only the secretariat records the conciliation board's ruling.", opens=("rule",)),
    Rule("revise_functions", N_("Withdraw a function from the plan, or change it substantially"),
         {Role.EMPLOYER: YES}, _UNTIL_CONCLUDED,
         (N_("Each is a new version of the plan; a substantial change reopens the function's consent and ruling."),),
         "Only the employer whose plan it is withdraws or changes its functions.", opens=("revise_functions",)),
    Rule("appoint_expert", N_("Appoint an expert"),
         {Role.SECRETARIAT: YES, Role.WORKERS: OWN, Role.EMPLOYERS: OWN, Role.GOVERNMENT: OWN}, _UNTIL_FROZEN,
         (N_("A decision of the appointing constituency, recorded by its named signatory or by the secretariat on "
             "its behalf, in a stage that opens it to them; stating why, who, the brief, the member in charge and "
             "optionally the end date."),
          N_("The expert sees the information package and that constituency's caucus, nothing else, for the "
             "appointment's term only.")),
         "A constituency appoints its own expert through its named signatory (or the secretariat on its behalf).",
         opens=("appoint_expert",), opens_for=ANY_PARTY),
    Rule("end_expert", N_("End an expert's appointment"),
         {Role.SECRETARIAT: YES, Role.WORKERS: OWN, Role.EMPLOYERS: OWN, Role.GOVERNMENT: OWN}, _UNTIL_CONCLUDED,
         (N_("A decision of the appointing constituency, with its reason, recorded by its named signatory or by "
             "the secretariat on its behalf."),
          N_("The appointment also ends at its end date, at the round's conclusion, or when the expert's account "
             "is deactivated; access ends at once on every path and an ended appointment never starts again.")),
         "Only the appointing constituency, through its named signatory (or the secretariat on its behalf), ends "
         "its expert's appointment."),
    Rule("record_expert_cost", N_("Record an expert's costs"),
         {Role.SECRETARIAT: YES, Role.EMPLOYER: YES, Role.WORKERS: OWN, Role.EMPLOYERS: OWN, Role.GOVERNMENT: OWN},
         frozenset(Phase),
         (N_("The employer, the secretariat, or the constituency that appointed the expert; also after "
             "conclusion, since invoices come late."),),
         "Only the employer, the secretariat or the appointing constituency records an expert's costs."),
    Rule("record_expert_step", N_("Record a step of an expert's calendar"),
         {Role.SECRETARIAT: YES, Role.EMPLOYER: YES, Role.WORKERS: OWN, Role.EMPLOYERS: OWN, Role.GOVERNMENT: OWN},
         frozenset(Phase),
         (N_("The employer, the secretariat, or the appointing constituency's named signatory: the expert's "
             "request and the employer's answer, the cost notified, the report, a challenge, the employer's "
             "agreement or refusal, the labour court; also after conclusion, since disputes end late."),
          N_("Each step is recorded once; a date the law sets is flagged when it passed with nothing recorded.")),
         "Only the employer, the secretariat or the appointing constituency's signatory records an expert's steps."),
    Rule("attach_document", N_("Attach a document, or a new version of one, to the information package"),
         {Role.SECRETARIAT: YES, Role.EMPLOYER: YES}, _UNTIL_FROZEN,
         (N_("PDF, OpenDocument, Office Open XML, CSV, PNG or JPEG, checked by content; every version is kept."),
          N_("For every party, or for one caucus the attaching person reads.")),
         "Only the employer whose plan it is, or the secretariat, attaches documents."),
    Rule("release_package", N_("Release the information package's new documents"),
         {Role.SECRETARIAT: YES, Role.EMPLOYER: YES}, _UNTIL_FROZEN,
         (N_("What is attached before the round starts is released when it starts; later versions when released "
             "by hand."),),
         "Only the employer whose plan it is, or the secretariat, releases the package."),
    Rule("acknowledge_package", N_("Acknowledge receipt of the package for one's organisation"),
         {role: YES for role in Role}, _UNTIL_CONCLUDED,
         (N_("Once per release and organisation, by any of its people; the time is in the record."),),
         "Only a participant acknowledges receipt."),
    Rule("ask_question", N_("Ask the employer a question"),
         {Role.SECRETARIAT: YES, Role.EMPLOYERS: YES, Role.WORKERS: YES, Role.GOVERNMENT: YES,
          Role.OBSERVERS: YES}, _UNTIL_FROZEN,
         (N_("As the workflow's current stage opens questions to the constituency."),),
         "The employer answers questions; it does not ask them.", opens=("ask",)),
    Rule("answer_question", N_("Answer a question"), {Role.EMPLOYER: YES}, _UNTIL_FROZEN,
         (N_("Once, while the question is open; in any stage until the outcome is frozen."),),
         "Only the employer whose plan it is answers questions."),
    Rule("withdraw_question", N_("Withdraw a question"),
         {Role.SECRETARIAT: YES, Role.EMPLOYERS: OWN, Role.WORKERS: OWN, Role.GOVERNMENT: OWN,
          Role.OBSERVERS: OWN}, _UNTIL_FROZEN,
         (N_("The person who asked it, or the secretariat, while it is open; with a reason shown to every "
             "participant."),),
         "Only the person who asked a question, or the secretariat, withdraws it."),
    Rule("list_affected_workers", N_("List the workers the plan affects, for their individual information"),
         {Role.SECRETARIAT: YES, Role.EMPLOYER: YES}, _UNTIL_FROZEN,
         (N_("Where the workflow informs each affected worker (AI Act Art. 26(7), Platform Work Directive Art. 9)."),
          N_("Names and addresses are seen by the employer and the secretariat only; others see counts.")),
         "Only the employer whose plan it is, or the secretariat, lists the affected workers."),
    Rule("inform_affected_workers", N_("Inform each listed worker, by mail or a printed letter"),
         {Role.SECRETARIAT: YES, Role.EMPLOYER: YES}, _UNTIL_CONCLUDED,
         (N_("Each worker is informed once; the delivery is recorded in the round's record, with counts only."),),
         "Only the employer whose plan it is, or the secretariat, informs the affected workers."),
    Rule("record_clock_facts", N_("Record how the legal clock is counted: a company agreement's délais, the "
                                  "reading of an uncertain extension"), {Role.SECRETARIAT: YES}, _UNTIL_FROZEN,
         (N_("While the clock's stage is current, with the agreement's reference or the reason for the reading; "
             "the record keeps every change."),),
         "Only the secretariat records how the legal clock is counted."),
    Rule("notify_bdese", N_("Record that the information was put in the BDESE"), {Role.EMPLOYER: YES},
         _UNTIL_FROZEN,
         (N_("Like the package's release, it can start the legal clock (Code du travail R2312-5)."),),
         "Only the employer whose plan the round is about records the information it made available."),
    Rule("transmit_establishment_opinion", N_("Transmit an establishment CSE's opinion to the central CSE"),
         {Role.SECRETARIAT: YES, Role.WORKERS: OWN}, _UNTIL_FROZEN,
         (N_("Once per establishment, at the latest 7 days before the central deadline (R2312-6 II); after "
             "that the establishment's opinion is deemed negative."),),
         "Only the workers' side, or the secretariat on its behalf, transmits an establishment's opinion."),
    Rule("post_comment", N_("Comment on a section in plenary, or reply"), _EVERYONE, _UNTIL_CONCLUDED,
         (N_("As the stage opens plenary comments to the constituency (in information: questions or answers)."),
          N_("A reply stays in its parent's section and channel.")), "Not open to you.", opens=_PLENARY),
    Rule("post_caucus_comment", N_("Comment in one's own caucus"), _PARTIES, _UNTIL_CONCLUDED,
         (N_("Each social partner in its own caucus, as the stage opens caucuses to it."),),
         N_("Only workers, employers and government hold caucuses."), opens=("caucus",)),
    Rule("edit_comment", N_("Edit one's plenary comment"), _EVERYONE, _UNTIL_CONCLUDED,
         (N_("Only the author edits a comment, never one the secretariat hid; the old text stays in its history."),
          N_("While the stage opens plenary comments to the author's constituency.")),
         "Not open to you.", opens=_PLENARY),
    Rule("edit_caucus_comment", N_("Edit one's caucus comment"), _PARTIES, _UNTIL_CONCLUDED,
         (N_("Only the author edits a comment, never one the secretariat hid; the old text stays in its history."),
          N_("While the stage opens the caucus to the author's constituency.")),
         N_("Only workers, employers and government hold caucuses."), opens=("caucus",)),
    Rule("hide_comment", N_("Hide a comment, with a reason"), _SECRETARIAT, _UNTIL_CONCLUDED,
         (N_("A tombstone stays in the thread; nothing is deleted; a comment is hidden once."),),
         N_("Only the secretariat moderates.")),
    Rule("react", N_("Agree, disagree or question a comment"), _EVERYONE, _UNTIL_CONCLUDED,
         (N_("One reaction per person, in any stage; never on a hidden comment."),), "Not open to you."),
    Rule("draft_position", N_("Draft a section's position"), _SECRETARIAT, _UNTIL_CONCLUDED,
         (N_("On top of the current version: a stale version is refused with the current text."),
          N_("A change after freezing voids the frozen version and its signatures.")),
         N_("Only the secretariat drafts positions."), opens=("draft",)),
    Rule("add_commitment", N_("Write a commitment into the outcome"), _SECRETARIAT, _UNTIL_CONCLUDED,
         (N_("Owned by an organisation taking part; a change after freezing voids the frozen version."),),
         N_("Only the secretariat writes commitments into the outcome."), opens=("draft",)),
    Rule("freeze_outcome", N_("Freeze the outcome into a version to sign"), _SECRETARIAT, _UNTIL_CONCLUDED,
         (N_("The same content frozen again is the same version; a new version voids the one before."),),
         N_("Only the secretariat freezes the outcome."), opens=("draft",)),
    Rule("record_stance", N_("Record one's constituency's stance on a position"), _PARTIES, _UNTIL_CONCLUDED,
         (N_("On a drafted position; a reservation or a disagreement says why; several at once: all or none."),
          N_("A change after freezing voids the frozen version and its signatures.")),
         N_("Only workers, employers and government record stances."), opens=("stance",)),
    Rule("sign_outcome", N_("Sign the frozen outcome"), _PARTIES, _UNTIL_CONCLUDED,
         (N_("Only the named signatory of a constituency that signs this round, after giving their password."),
          N_("The frozen version's digest as read, once per version and constituency.")),
         N_("Only the signatories of workers, employers and government sign."), opens=("sign",)),
    Rule("start_round", N_("Start the round: leave the draft"), {Role.SECRETARIAT: YES, Role.EMPLOYER: YES},
         _UNTIL_CONCLUDED, (N_("Once, from the draft; every deadline is planned from then."),),
         N_("Only the employer or the secretariat of this round does this.")),
    Rule("extend_stage", N_("Give the current stage more time"), _SECRETARIAT, _UNTIL_CONCLUDED,
         (N_("With a reason; every later deadline moves by the same amount."),),
         N_("Only the secretariat of this round does this.")),
    Rule("pause_round", N_("Pause the round"), _SECRETARIAT, _UNTIL_CONCLUDED,
         (N_("With a reason; while paused nothing is open and no deadline runs."),),
         N_("Only the secretariat of this round does this.")),
    Rule("resume_round", N_("Resume a paused or held round"), _SECRETARIAT, _UNTIL_CONCLUDED,
         (N_("With a reason; after a pause every deadline moves by the time the round stood still."),),
         N_("Only the secretariat of this round does this.")),
    Rule("hold_round", N_("Hold the round in its stage past the deadline"), _SECRETARIAT, _UNTIL_CONCLUDED,
         (N_("With a reason, until the secretariat advances or resumes it."),),
         N_("Only the secretariat of this round does this.")),
    Rule("advance_round", N_("Move the round to its next stage now"), _SECRETARIAT, _UNTIL_CONCLUDED,
         (N_("With a reason, once the round has started and the stage's gates hold."),),
         N_("Only the secretariat of this round does this.")),
    Rule("report_progress", N_("Report progress on a commitment"), _EVERYONE, frozenset(Phase),
         (N_("Only the organisation that owns the commitment, once the outcome is signed, until it is declared "
             "met; also after conclusion."),), "Not open to you."),
    Rule("follow_up", N_("Open a follow-up round about a commitment"), {Role.SECRETARIAT: YES, Role.EMPLOYER: YES},
         frozenset(Phase), (N_("From a signed outcome; also after conclusion."),),
         N_("Only the employer or the secretariat opens a follow-up round.")),
)

RULES = {rule.action: rule for rule in GOVERNANCE}

PHASE_REFUSALS = {
    Phase.FROZEN: "The outcome is frozen: who takes part can no longer change; the secretariat drafts a change "
                  "(which voids the frozen version) first.",
    Phase.CONCLUDED: "The round is concluded: its record is read-only; only the follow-up of its commitments goes on.",
}
