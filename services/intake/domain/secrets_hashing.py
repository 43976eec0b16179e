"""Slow hashing of follow-up secrets (Argon2id); the secret itself is never stored."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from services.intake.domain.codes import normalise_secret


class SecretHasher:
    """Hash and verify tipsters' follow-up secrets."""

    def __init__(self, *, time_cost: int, memory_kib: int) -> None:
        self._hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=1)
        # Verifying against this for unknown codes makes them cost the same as wrong secrets.
        self._decoy = self._hasher.hash("decoy-secret-for-unknown-codes")

    def hash(self, secret: str) -> str:
        return self._hasher.hash(normalise_secret(secret))

    def verify(self, stored_hash: str | None, secret: str) -> bool:
        """Check a secret; with no stored hash, spend the same time and say no."""
        try:
            return self._hasher.verify(stored_hash or self._decoy, normalise_secret(secret)) and (
                stored_hash is not None
            )
        except (VerificationError, InvalidHashError):
            return False
