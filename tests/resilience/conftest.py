"""The resilience suite: its `scenario` fixture and report live in tests/conftest.py, for every test to use."""
