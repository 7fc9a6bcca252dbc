"""Notifications: the outbox and its sender (the mail spine), the notifications derived from events, digests."""
