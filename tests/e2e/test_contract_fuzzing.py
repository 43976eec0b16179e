"""Contract fuzzing: schemathesis against each service's OpenAPI, on the real stack.

Every answer must be a documented status with a documented content type and a body that
matches its schema, and no input may produce a server error. (Staff endpoints are mostly
exercised without a token here, so they answer 401 problems; their authorised paths are
covered by the officer-flow tests.)
"""

import subprocess
import sys

import pytest

from tests.support.services import Stack

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
CHECKS = (
    "not_a_server_error,response_schema_conformance,status_code_conformance,"
    "content_type_conformance"
)


@pytest.mark.parametrize("service", ["intake", "triage", "notify"])
def test_no_server_error_and_every_answer_matches_the_schema(stack: Stack, service: str) -> None:
    url = stack.processes[service].url
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "schemathesis.cli",
            "run",
            f"{url}/openapi.json",
            "--checks",
            CHECKS,
            "--max-examples",
            "15",
            "--seed",
            "20261122",
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    summary = "\n".join(result.stdout.splitlines()[-25:])
    print(summary)
    assert result.returncode == 0, summary
    assert " passed" in summary and "failed" not in summary.split("Test cases:")[-1]
