"""Questions to the employer: a plenary comment with a state (open, answered, withdrawn) and the answer."""
