"""Tracking codes and follow-up secrets a person can read aloud on the phone."""

import re
import secrets

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: letters and digits that are not confused when read aloud
# or written by hand.
ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
TRACKING_PREFIX = "TB"


def _random_group(length: int) -> str:
    """`length` symbols drawn uniformly from ALPHABET with one call to the OS's CSPRNG.

    Bytes of 250 and above are dropped so that `byte % 25` stays uniform (250 = 10 × 25);
    drawing a spare third covers the rejections (a shortfall just draws again).
    """
    symbols: list[str] = []
    while len(symbols) < length:
        symbols.extend(
            ALPHABET[byte % len(ALPHABET)]
            for byte in secrets.token_bytes(length + length // 3 + 2)
            if byte < 250
        )
    return "".join(symbols[:length])


def new_tracking_code() -> str:
    """Return a code like TB-K7QM-4XRD (25^8 ≈ 1.5e11 possibilities)."""
    symbols = _random_group(8)
    return f"{TRACKING_PREFIX}-{symbols[:4]}-{symbols[4:]}"


def new_secret() -> str:
    """Return a secret like 7KQD-MX3R-ACHT-9PWE (25^16 ≈ 2^74)."""
    symbols = _random_group(16)
    return "-".join(symbols[i : i + 4] for i in range(0, 16, 4))


def normalise_code(code: str) -> str:
    """Accept codes typed in lower case, with spaces or without dashes."""
    compact = "".join(ch for ch in code.upper() if ch.isalnum())
    if compact.startswith(TRACKING_PREFIX) and len(compact) == len(TRACKING_PREFIX) + 8:
        body = compact[len(TRACKING_PREFIX) :]
        return f"{TRACKING_PREFIX}-{body[:4]}-{body[4:]}"
    return code.strip().upper()


_TRACKING_CODE = re.compile(rf"{TRACKING_PREFIX}-[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}")


def is_tracking_code(code: str) -> bool:
    """Say whether a (normalised) code has the shape new_tracking_code() gives."""
    return _TRACKING_CODE.fullmatch(code) is not None


def normalise_secret(secret: str) -> str:
    """Accept secrets typed in lower case, with spaces or without dashes."""
    compact = "".join(ch for ch in secret.upper() if ch.isalnum())
    return "-".join(compact[i : i + 4] for i in range(0, len(compact), 4))
