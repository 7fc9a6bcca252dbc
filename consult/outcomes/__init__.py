"""Agreed positions, stances, commitments, the frozen outcome document, its signatures and its exports."""
