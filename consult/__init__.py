"""consult: tripartite social dialogue on AI systems used at work."""

from pathlib import Path

#: The repository folders a deployer customises live beside the package.
ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None, **options):
    """Build the Flask application (imported lazily so that pure modules stay free of Flask); `options`: see
    consult.app.create_app."""
    from consult.app import create_app as _create_app

    return _create_app(config, **options)
