"""consult: tripartite social dialogue on AI systems used at work."""


def create_app(config: dict | None = None, **options):
    """Build the Flask application (imported lazily so that pure modules stay free of Flask); `options`: see
    consult.app.create_app."""
    from consult.app import create_app as _create_app

    return _create_app(config, **options)
