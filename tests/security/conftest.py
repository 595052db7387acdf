"""The security suite prints its figures at the end of the run (and writes them as
JSON where ``IAM_SECURITY_FIGURES`` says, for ``python -m bench.security``)."""

from __future__ import annotations


def pytest_terminal_summary(terminalreporter):
    from tests.security import figures, test_races

    passed = {r.nodeid for r in terminalreporter.stats.get("passed", [])}
    races = [node for node in passed if "tests/security/test_races" in node]
    # test_races.py keeps its own list; the later modules count through figures.
    figures.FIGURES["race_violations"] += len(test_races.VIOLATIONS)
    figures.VIOLATIONS.extend(test_races.VIOLATIONS)
    figures.FIGURES["race_tests_passed"] = len(races)
    if not races and not any(figures.FIGURES.values()):
        return
    terminalreporter.write_sep("-", "security figures")
    terminalreporter.write_line(f"race tests passed: {len(races)}; "
                                f"race invariant violations: {figures.FIGURES['race_violations']}")
    for line in figures.lines():
        if not line.startswith(figures.LABELS["race_violations"]):
            terminalreporter.write_line(line)
    figures.dump()
