"""Shared fixtures: fast hashers, the personas, signed-in clients."""

from __future__ import annotations

import os

import pytest


def pytest_configure(config):
    # MD5 makes password checks instant; production uses Argon2.
    if config.pluginmanager.hasplugin("django") and os.environ.get("DJANGO_SETTINGS_MODULE"):
        from django.conf import settings

        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def require_service(name: str, reason: str):
    """Skip a test whose service is missing, but fail it under CI=true."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{name} is required in CI: {reason}")
    pytest.skip(f"{name} unavailable: {reason}")


@pytest.fixture
def make_account(db):
    from tests.factories import make_account

    return make_account


@pytest.fixture
def make_user(db):
    from tests.factories import make_iam_user

    return make_iam_user


@pytest.fixture
def alice_account(db):
    from tests.factories import make_account

    return make_account(email="owner@alice.example", alias="alice-co", account_id="111122223333")


@pytest.fixture
def charlie_account(db):
    from tests.factories import make_account

    return make_account(email="owner@charlie.example", alias="charlie-co",
                        account_id="444455556666")


def _uses_transactions(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return bool((marker and marker.kwargs.get("transaction"))
                or {"transactional_db", "live_server"} & set(request.fixturenames))


@pytest.fixture(autouse=True)
def _fresh_policy_state(request):
    """Each test starts with no cached policy sets and with the AWS managed catalogue.

    Transactional tests end with a flush that empties every table, the data
    migration's AWS managed policies included: they are loaded again here,
    through the migration's own loader.
    """
    if not request.config.pluginmanager.hasplugin("django"):
        yield
        return
    from policies import policyset

    policyset.clear_cache()
    if _uses_transactions(request):
        from importlib import import_module

        from django.apps import apps

        request.getfixturevalue("transactional_db")
        import_module("policies.migrations.0002_load_aws_managed_policies").load(apps, None)
    yield
    policyset.clear_cache()


# One Playwright instance for the whole run (see tests/browser.py).
from tests.browser import browser, page  # noqa: E402,F401
