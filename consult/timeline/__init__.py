"""The timeline: every stage's planned deadline, secretariat actions on it, and the stage rules of a round."""
