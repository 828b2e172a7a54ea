"""Password hashing (argon2id) and the password policy.

The policy follows NIST SP 800-63B: a minimum length, a generous maximum, and a refusal of
passwords that are known to be common; no composition rules.
"""

from __future__ import annotations

import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import gettext as _
from zxcvbn.frequency_lists import FREQUENCY_LISTS

MIN_LENGTH = 8
MAX_LENGTH = 128

# argon2id with argon2-cffi's defaults (t=3, m=64 MiB, p=4) meets the OWASP recommendation.
DEFAULT_TIME_COST = 3
DEFAULT_MEMORY_KIB = 65_536
DEFAULT_PARALLELISM = 4
_DUMMY_PASSWORD = secrets.token_urlsafe(24)  # nobody knows it, not even us

_hasher = PasswordHasher()
# A real hash of a random password: verified against when the account does not exist, so that
# an unknown email costs the same time as a wrong password.
_dummy_hash = _hasher.hash(_DUMMY_PASSWORD)


def configure_hashing(
    time_cost: int = DEFAULT_TIME_COST,
    memory_kib: int = DEFAULT_MEMORY_KIB,
    parallelism: int = DEFAULT_PARALLELISM,
) -> None:
    """Set the argon2id cost (settings PASSWORD_HASH_*); stored hashes of another cost are
    upgraded at the next login."""
    global _hasher, _dummy_hash
    if (_hasher.time_cost, _hasher.memory_cost, _hasher.parallelism) == (
        time_cost,
        memory_kib,
        parallelism,
    ):
        return
    _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)
    _dummy_hash = _hasher.hash(_DUMMY_PASSWORD)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def spend_verification_time(password: str) -> None:
    verify_password(_dummy_hash, password)


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Why `password` is not acceptable, or None when it is."""
    if len(password) < MIN_LENGTH:
        return _("Use at least %(n)d characters.", n=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _("Use at most %(n)d characters.", n=MAX_LENGTH)
    lowered = password.lower()
    if lowered in _common_passwords():
        return _("This password is too common and easy to guess. Choose another.")
    personal = {email.lower(), email.lower().split("@")[0], name.lower()} - {""}
    if lowered in personal:
        return _("Do not use your name or email address as your password.")
    return None
