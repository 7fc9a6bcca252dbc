"""Formal opinions, reasoned responses, consent per function, experts and legal clocks (issue 16, part B)."""
