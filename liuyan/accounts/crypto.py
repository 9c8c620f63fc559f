"""Encryption of personal data at rest, and keyed hashes for exact look-ups.

Keys come from the settings: LIUYAN_FIELD_KEYS is a list of key materials, newest first (from the
LIUYAN_FIELD_KEY environment variable, comma-separated, or SECRET_KEY when that is unset). Each
material is stretched with HKDF into a Fernet key; MultiFernet encrypts with the first and
decrypts with any, which is how keys rotate (add the new key in front, run
`liuyan reencrypt-fields`, then drop the old one).

Look-up hashes are HMAC-SHA256 under a key derived separately (other HKDF info, and its own
setting LIUYAN_FIELD_HASH_KEY), so rotating the encryption key does not change the hashes and a
leaked hash key does not decrypt anything.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# Every Fernet token starts with its version byte 0x80, which base64 spells "gAAAAA".
TOKEN_PREFIX = "gAAAAA"  # noqa: S105  (a format marker, not a secret)
_ENCRYPTION_INFO = b"liuyan.field-encryption.v1"
_HASH_INFO = b"liuyan.lookup-hash.v1"


def _derive(material: str, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(
        material.encode("utf-8")
    )


def _field_keys() -> tuple[str, ...]:
    keys = tuple(key for key in settings.LIUYAN_FIELD_KEYS if key)
    if not keys:
        raise ImproperlyConfigured("LIUYAN_FIELD_KEYS is empty: personal data cannot be read.")
    return keys


@lru_cache(maxsize=8)
def _multi_fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet(
        [Fernet(base64.urlsafe_b64encode(_derive(key, _ENCRYPTION_INFO))) for key in keys]
    )


@lru_cache(maxsize=8)
def _hash_key(material: str) -> bytes:
    return _derive(material, _HASH_INFO)


def _cipher() -> MultiFernet:
    return _multi_fernet(_field_keys())


def encrypt(text: str) -> str:
    return _cipher().encrypt(text.encode("utf-8")).decode("ascii")


def looks_encrypted(value: str) -> bool:
    return value.startswith(TOKEN_PREFIX)


def decrypt(token: str) -> str:
    """The clear text of `token`. A value that is no token at all is a row written before
    encryption (the data migration turns those into tokens) and is returned as it is."""
    if not looks_encrypted(token):
        return token
    try:
        return _cipher().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as error:
        raise ImproperlyConfigured(
            "A personal-data field cannot be decrypted with LIUYAN_FIELD_KEYS: was a key "
            "dropped before `liuyan reencrypt-fields` ran?"
        ) from error


def is_current(token: str) -> bool:
    """Whether `token` is encrypted with the newest key (rotation re-encrypts the others)."""
    if not looks_encrypted(token):
        return False
    try:
        _multi_fernet(_field_keys()[:1]).decrypt(token.encode("ascii"))
    except InvalidToken:
        return False
    return True


def lookup_hash(value: str) -> str:
    """A keyed hash of `value` (already normalised by the caller) for exact-match look-ups."""
    material = settings.LIUYAN_FIELD_HASH_KEY or _field_keys()[0]
    digest = hmac.new(_hash_key(material), value.encode("utf-8"), hashlib.sha256)
    return digest.hexdigest()


def normalise_phone(phone: str) -> str:
    """Digits only, without a +86/0086 prefix: '0731-8888 8888' and '073188888888' match."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) >= 11:
            digits = digits[len(prefix) :]
            break
    return digits


def phone_hash(phone: str | None) -> str | None:
    """The look-up hash of a phone number, or None when there is none."""
    digits = normalise_phone(phone or "")
    return lookup_hash("phone:" + digits) if digits else None
