"""The product hashes passwords with argon2id at its full cost (the test processes use the cheapest one)."""

import subprocess
import sys

from consult.paths import ROOT


def test_the_product_hashes_passwords_with_argon2id_at_64_mib_3_passes_and_4_lanes():
    script = "from consult.accounts.services import hash_password; print(hash_password('correct horse'))"
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    # RFC 9106 section 4 recommends m=2 GiB or, where memory is constrained, the second option: m=64 MiB, t=3, p=4.
    assert done.stdout.startswith("$argon2id$v=19$m=65536,t=3,p=4$"), done.stdout + done.stderr
