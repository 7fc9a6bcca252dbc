"""Rounds: one consultation about one AI deployment plan, its sections, participants and signatories."""
