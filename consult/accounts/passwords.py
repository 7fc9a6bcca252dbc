"""The password rule: long enough, not one of the passwords people use most, not the person's own address.

The common passwords are zxcvbn's list of the 30,000 most frequent ones in leaked password sets
(`zxcvbn.frequency_lists`), compared without regard to case.
"""

from __future__ import annotations

import functools

from consult.errors import Invalid

#: Shortest password accepted (NIST SP 800-63B asks for at least 8; a passphrase is easier at this length).
MIN_LENGTH = 10
MAX_LENGTH = 1024


@functools.cache
def common_passwords() -> frozenset[str]:
    """The most common passwords, lower-cased (loaded once)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(word.lower() for word in FREQUENCY_LISTS["passwords"])


def password_problem(password: str, *, email: str = "", min_length: int = MIN_LENGTH) -> str | None:
    """Why this password is refused, or None when it is acceptable."""
    if len(password) < min_length:
        return f"Use at least {min_length} characters."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    lowered = password.lower()
    if lowered in common_passwords() or lowered.strip() in common_passwords():
        return "This is one of the most common passwords: choose another."
    if len(set(lowered)) < 3:
        return "Use more than two different characters."
    local = email.lower().partition("@")[0]
    if email and (lowered == email.lower() or (len(local) >= 4 and lowered == local)):
        return "Do not use your e-mail address as your password."
    return None


def check_new_password(password: str, *, email: str = "", field: str = "password",
                       min_length: int = MIN_LENGTH) -> None:
    """Refuse (422, on `field`) a password that breaks the rule."""
    problem = password_problem(password, email=email, min_length=min_length)
    if problem:
        raise Invalid("This password cannot be used.", fields={field: [problem]})
