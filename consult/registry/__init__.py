"""The public registry of concluded public rounds: search, open data and a feed of new outcomes."""
