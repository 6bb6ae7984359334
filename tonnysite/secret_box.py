"""Secrets at rest: text the family gives us that holds a token (a notification channel's address).

Encrypted with `cryptography`'s MultiFernet (AES-128-CBC with an HMAC, a timestamp and a version
byte). The keys come from the environment, `TONNY_SECRET_KEYS`: a comma-separated list of Fernet
keys; the first encrypts, all decrypt, so a key is rotated by putting a new one first (what is
stored stays readable; `secret_reseal` re-encrypts with the first). Without it one key is derived from
`SECRET_KEY` (HKDF-SHA256), so a home install needs nothing more; a changed `SECRET_KEY` then
makes the stored secrets unreadable, which `secret_open` reports as a clear error.
"""

from __future__ import annotations

import base64
import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class SecretUnreadable(Exception):
    """A stored secret none of the configured keys opens."""


def _derived_key(secret_key: str) -> bytes:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"tonnytray-secret-box", info=b"fernet").derive(
        secret_key.encode()
    )
    return base64.urlsafe_b64encode(key)


@functools.cache
def _box(keys: tuple[str, ...], secret_key: str) -> MultiFernet:
    if keys:
        try:
            return MultiFernet([Fernet(key.strip()) for key in keys])
        except ValueError as error:
            raise ImproperlyConfigured(
                "TONNY_SECRET_KEYS must be Fernet keys (32 url-safe base64 bytes each), comma-separated: "
                "make one with `python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key())'`."
            ) from error
    if not secret_key:
        raise ImproperlyConfigured("Set SECRET_KEY or TONNY_SECRET_KEYS to store secrets.")
    return MultiFernet([Fernet(_derived_key(secret_key))])


def _current_box() -> MultiFernet:
    return _box(tuple(getattr(settings, "TONNY_SECRET_KEYS", ())), settings.SECRET_KEY)


def secret_seal(text: str) -> str:
    """`text` encrypted with the first key, as ASCII."""
    return _current_box().encrypt(text.encode()).decode("ascii")


def secret_open(token: str) -> str:
    """The text sealed in `token`; SecretUnreadable when no configured key opens it."""
    try:
        return _current_box().decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeError) as error:
        raise SecretUnreadable(
            "A stored secret cannot be read with the configured keys (was SECRET_KEY or TONNY_SECRET_KEYS changed?)."
        ) from error


def secret_reseal(token: str) -> str:
    """`token` encrypted again with the first key (for rotating keys)."""
    try:
        return _current_box().rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken as error:
        raise SecretUnreadable("A stored secret cannot be read with the configured keys.") from error
