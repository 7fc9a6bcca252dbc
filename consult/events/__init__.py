"""The event log: every change to a round, in order, hash-chained, dispatched after commit."""
