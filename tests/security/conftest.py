"""The security suite prints its figures at the end of the run."""

from __future__ import annotations


def pytest_terminal_summary(terminalreporter):
    from tests.security import test_races

    passed = {r.nodeid for r in terminalreporter.stats.get("passed", [])}
    races = [node for node in passed if "tests/security/test_races.py" in node]
    if not races and not test_races.VIOLATIONS:
        return
    terminalreporter.write_sep("-", "security figures")
    terminalreporter.write_line(f"race tests passed: {len(races)}; "
                                f"race invariant violations: {len(test_races.VIOLATIONS)}")
