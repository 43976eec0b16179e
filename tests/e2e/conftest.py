from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.infra import Infra
from tests.support.services import Stack, process_stack


@pytest.fixture
def stack(infra: Infra, topic_prefix: str, tmp_path: Path) -> Iterator[Stack]:
    """The three services as real processes, on this test's own topics."""
    with process_stack(infra, topic_prefix, tmp_path) as started:
        yield started
