"""Browser tests: the fixtures live in tests/browser.py (registered by tests/conftest.py)."""

from tests.browser import field, screenshot  # noqa: F401  (imported by the journeys)
