"""Outcome documents as PDFs: rendering from exports/ under limits, signing with the platform's key, verifying."""
