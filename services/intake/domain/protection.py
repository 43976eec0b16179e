"""Encryption at rest and keyed hashing for the personal data intake must keep."""

import base64
import hashlib
import hmac
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_VERSION = b"\x01"  # lets a later key rotation tell old ciphertexts from new ones


class Sealer:
    """AES-256-GCM with a random nonce; the associated data binds a ciphertext to its row."""

    def __init__(self, key_b64: str) -> None:
        key = base64.b64decode(key_b64)
        if len(key) != 32:
            raise ValueError("the encryption key must be 32 bytes, base64-encoded")
        self._aead = AESGCM(key)

    def seal(self, plaintext: bytes, *, context: str) -> bytes:
        nonce = os.urandom(12)
        return _VERSION + nonce + self._aead.encrypt(nonce, plaintext, context.encode())

    def open(self, sealed: bytes, *, context: str) -> bytes:
        if sealed[:1] != _VERSION:
            raise ValueError("unknown ciphertext version")
        return self._aead.decrypt(sealed[1:13], sealed[13:], context.encode())


def keyed_hash(value: str, *, pepper: str) -> str:
    """HMAC-SHA256 of a normalised value: recognises repeats without keeping the value."""
    return hmac.new(pepper.encode(), value.encode(), hashlib.sha256).hexdigest()


def body_fingerprint(body: bytes, *, pepper: str) -> str:
    """Keyed hash of a request body, to tell a true retry from a reused idempotency key.

    Keyed because the body holds contact details and an SMS sender's number next to text
    that is stored in clear: a plain SHA-256 let anyone with the table try numbers until one
    matched.
    """
    return hmac.new(pepper.encode(), body, hashlib.sha256).hexdigest()
