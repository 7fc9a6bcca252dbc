"""consult: tripartite social dialogue on AI systems used at work."""


def create_app(config: dict | None = None):
    """Build the Flask application (imported lazily so that pure modules stay free of Flask)."""
    from consult.app import create_app as _create_app

    return _create_app(config)
