import re

from services.intake.domain.codes import (
    ALPHABET,
    new_secret,
    new_tracking_code,
    normalise_code,
    normalise_secret,
)
from services.intake.domain.secrets_hashing import SecretHasher

AMBIGUOUS = set("0O1IL2Z5S8B")


def test_tracking_codes_avoid_characters_confused_when_read_aloud() -> None:
    codes = {new_tracking_code() for _ in range(2000)}
    assert len(codes) == 2000
    for code in codes:
        assert re.fullmatch(r"TB-[A-Z0-9]{4}-[A-Z0-9]{4}", code)
        assert not AMBIGUOUS & set(code.removeprefix("TB-").replace("-", ""))
    assert not AMBIGUOUS & set(ALPHABET)


def test_codes_typed_loosely_are_normalised() -> None:
    assert normalise_code("tb k7qm 4xrd") == "TB-K7QM-4XRD"
    assert normalise_code("TBK7QM4XRD") == "TB-K7QM-4XRD"
    assert normalise_secret("7kqd mx3r-acht9pwe") == "7KQD-MX3R-ACHT-9PWE"


def test_secret_verifies_only_itself_and_unknown_codes_never_match() -> None:
    hasher = SecretHasher(time_cost=1, memory_kib=8192)
    secret = new_secret()
    stored = hasher.hash(secret)
    assert secret not in stored
    assert hasher.verify(stored, secret)
    assert hasher.verify(stored, secret.lower().replace("-", " "))
    assert not hasher.verify(stored, new_secret())
    assert not hasher.verify(None, secret)
    assert not hasher.verify("not-a-hash", secret)
