"""The workflow engine: stage definitions from workflows/, and pure rules over them (no Flask, no database)."""
