"""Collects one row per fault scenario and prints the table at the end of the run."""

import pytest

RESULTS: list[dict[str, object]] = []
COLUMNS = (
    "scenario",
    "sent",
    "accepted",
    "assigned",
    "duplicates",
    "lost",
    "5xx",
    "503",
    "dead-lettered",
    "seconds",
)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not RESULTS:
        return
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(str(row.get(c, "")) for c in COLUMNS) + " |" for row in RESULTS]
    terminalreporter.write_sep("=", "reliability: nothing lost, nothing doubled, no 5xx")
    for line in lines:
        terminalreporter.write_line(line)
