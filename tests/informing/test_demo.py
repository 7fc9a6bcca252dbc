"""The demo's AI Act round: a high-risk plan with its checklist, started, its affected workers informed."""

from __future__ import annotations

from sqlalchemy import select

from consult.demo import load_demo
from consult.informing.models import AffectedWorker
from consult.rounds.models import Round


def test_the_demo_has_an_ai_act_round_with_its_checklist_and_every_worker_informed(app, db):
    load_demo(app)
    with db.transaction(write=False) as session:
        round = session.scalar(select(Round).where(Round.workflow == "eu-ai-act"))
        assert round is not None and round.stage == "information" and round.plan.is_high_risk
        assert round.plan.deployer_checklist["log_retention_months"] >= 6  # Art. 26(6)
        workers = session.scalars(select(AffectedWorker).where(AffectedWorker.round_id == round.id)).all()
        assert len(workers) == 4 and all(w.informed_at for w in workers)
        assert sorted(w.channel for w in workers) == ["letter", "mail", "mail", "mail"]
