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
