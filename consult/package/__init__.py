"""The information package: the documents the round is about, their versions, releases and acknowledgements."""
