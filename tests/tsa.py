"""A time-stamping authority on 127.0.0.1 speaking RFC 3161 over HTTP: pyHanko's own time-stamper behind
http.server, with a test root and a time-stamping unit certificate (for the tests and bench/export.py)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from asn1crypto import keys, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.sign.timestamps import DummyTimeStamper


@dataclass
class LocalTSA:
    """Where the authority answers, its root certificate, and the Content-Type of each request it served."""

    url: str
    root: x509.Certificate
    served: list[str] = field(default_factory=list)

    @property
    def root_pem(self) -> bytes:
        """The root certificate, PEM (what CONSULT_TSA_TRUST names)."""
        return self.root.public_bytes(serialization.Encoding.PEM)


def _certificate(subject: str, key, issuer_name, issuer_key, *, ca: bool) -> x509.Certificate:
    now = datetime.now(UTC)
    builder = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
               .issuer_name(issuer_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - timedelta(hours=1)).not_valid_after(now + timedelta(days=30))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if not ca:
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
    return builder.sign(issuer_key, hashes.SHA256())


def as_asn1(certificate: x509.Certificate) -> asn1_x509.Certificate:
    """A cryptography certificate as asn1crypto's (what pyHanko takes)."""
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


@contextmanager
def local_tsa() -> Iterator[LocalTSA]:
    """Serve a time-stamping authority on a free port of 127.0.0.1 while the block runs."""
    root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    root_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test TSA Root")])
    root = _certificate("Test TSA Root", root_key, root_name, root_key, ca=True)
    unit_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    unit = _certificate("Test Time-Stamping Unit", unit_key, root_name, root_key, ca=False)
    stamper = DummyTimeStamper(tsa_cert=as_asn1(unit), tsa_key=keys.PrivateKeyInfo.load(unit_key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())),
        certs_to_embed=[as_asn1(root)])
    served: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            request = tsp.TimeStampReq.load(self.rfile.read(int(self.headers["Content-Length"])))
            served.append(self.headers.get("Content-Type", ""))
            answer = stamper.request_tsa_response(request).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LocalTSA(f"http://127.0.0.1:{server.server_port}/tsa", root, served)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
