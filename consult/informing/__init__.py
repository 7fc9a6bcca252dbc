"""Informing each affected worker individually (AI Act Art. 26(7), Platform Work Directive Art. 9)."""
