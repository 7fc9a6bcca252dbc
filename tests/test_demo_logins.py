"""The demo's printed log-ins say who is who: each person's role and side."""

from __future__ import annotations

from consult.demo import load_demo


def test_demo_log_ins_name_each_persons_role_and_side(app):
    printed = load_demo(app)
    assert "Amira Haddad: union shop steward, workers" in printed
    assert "Claire Martin: HR director, employer (Northgate Logistics)" in printed
    assert "Pedro Alves: labour inspector, government" in printed
    assert "Sam Okafor: secretariat officer, secretariat" in printed
