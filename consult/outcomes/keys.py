"""The platform's PDF signing key: the configured certificate, or a self-signed one made once in the instance."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from consult.settings import settings_of


def platform_key(app: Flask):
    """The key exports are signed with (CONSULT_SIGNING_KEY/CERT when set, else instance/keys/)."""
    from consult.documents.keys import ensure_platform_key, load_signing_key  # late, as in exports.run_export

    cached = app.extensions.get("consult.signing_key")
    if cached is None:
        settings = settings_of(app)
        if settings.signing_key and settings.signing_cert:
            passphrase = settings.signing_passphrase
            cached = load_signing_key(Path(settings.signing_key), Path(settings.signing_cert),
                                      passphrase.encode() if passphrase else None)
        else:
            cached = ensure_platform_key(Path(app.instance_path))
        app.extensions["consult.signing_key"] = cached
    return cached


def tsa_trust(app: Flask) -> list:
    """Certificates trusted for timestamps besides the system's roots (CONSULT_TSA_TRUST, a PEM file)."""
    from cryptography import x509

    path = settings_of(app).tsa_trust
    return x509.load_pem_x509_certificates(Path(path).read_bytes()) if path else []
