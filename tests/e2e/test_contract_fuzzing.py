"""Contract fuzzing: schemathesis against each service's OpenAPI, on the real stack.

Every answer must be a documented status with a documented content type and a body that
matches its schema, and no input may produce a server error. Each service is fuzzed twice:
anonymously (staff endpoints answer 401 problems) and with a staff token (a supervisor of
ward 09562 for triage and notify, a hotline operator for intake), so the authorised paths meet
the generated input too.
"""

import subprocess
import sys

import pytest

from tests.support.services import Stack
from tests.support.staff import token_for

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
CHECKS = (
    "not_a_server_error,response_schema_conformance,status_code_conformance,"
    "content_type_conformance"
)


STAFF = {"intake": "hotline_operator", "triage": "supervisor", "notify": "supervisor"}


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "staff"])
@pytest.mark.parametrize("service", ["intake", "triage", "notify"])
def test_no_server_error_and_every_answer_matches_the_schema(
    stack: Stack, service: str, signed_in: bool
) -> None:
    url = stack.processes[service].url
    headers = ["-H", f"Authorization: Bearer {token_for(STAFF[service])}"] if signed_in else []
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
            *headers,
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    summary = "\n".join(result.stdout.splitlines()[-25:])
    print(summary)
    assert result.returncode == 0, result.stdout[-12000:]
    assert " passed" in summary and "failed" not in summary.split("Test cases:")[-1]
