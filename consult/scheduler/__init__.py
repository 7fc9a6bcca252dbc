"""The scheduler: wakes at the next due deadline or reminder, moves due rounds, and re-arms when a deadline changes."""
