"""Where consult's own folders are: the repository root a deployer customises (exports/, workflows/, templates/).

A kernel module of its own, so that anything may ask for a path without importing the package's `__init__`
(which builds the application)."""

from pathlib import Path

#: The repository folders a deployer customises live beside the package.
ROOT = Path(__file__).resolve().parent.parent
