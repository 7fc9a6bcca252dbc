"""Accounts: organisations, people, their constituency, log-in sessions and API tokens."""
