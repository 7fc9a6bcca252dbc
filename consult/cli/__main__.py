"""`python -m consult.cli`: the `consult` command where its console script is not installed."""

from consult.cli import main

main()
