"""Races that must hold their invariant, on PostgreSQL with real connections."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections
from django_otp.oath import TOTP

from core.errors import IamError
from identities import services
from identities.models import AccessKey, GroupMembership, MFADevice
from identities.operations import credentials, groups, users
from tests.factories import caller_for, grant, make_iam_user

pytestmark = pytest.mark.django_db(transaction=True)

# Printed at the end of the run (see tests/security/conftest.py).
VIOLATIONS: list[str] = []


def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks are what is tested: PostgreSQL only")


def _race(count: int, work) -> list[str]:
    """Run ``work`` in ``count`` threads released together; their outcomes."""
    barrier = threading.Barrier(count)
    outcomes: list[str] = []
    lock = threading.Lock()

    def run():
        barrier.wait()
        try:
            result = work()
            outcome = "ok" if result is not False else "refused"
        except IamError as error:
            outcome = error.code
        finally:
            connections.close_all()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def _admin(account, name: str):
    user = make_iam_user(account, name)
    grant(user)
    return user


def test_twenty_parallel_create_access_key_leave_exactly_two(alice_account):
    _postgres_only()
    user = _admin(alice_account.account, "keys")
    outcomes = _race(20, lambda: credentials.create_access_key(caller_for(user)))
    count = AccessKey.objects.filter(user=user).count()
    if count != 2:
        VIOLATIONS.append(f"access keys: {count}")
    assert count == 2
    assert sorted(outcomes) == ["LimitExceeded"] * 18 + ["ok"] * 2


def test_parallel_group_additions_stop_at_ten(alice_account):
    _postgres_only()
    admin = _admin(alice_account.account, "grouper")
    users.create_user(caller_for(admin), user_name="joiner")
    for index in range(15):
        groups.create_group(caller_for(admin), group_name=f"g{index:02d}")
    names = iter(f"g{index:02d}" for index in range(15))
    lock = threading.Lock()

    def add():
        with lock:
            name = next(names)
        return groups.add_user_to_group(caller_for(admin), group_name=name, user_name="joiner")

    outcomes = _race(15, add)
    count = GroupMembership.objects.filter(user__name="joiner").count()
    if count != 10:
        VIOLATIONS.append(f"groups per user: {count}")
    assert count == 10
    assert outcomes.count("LimitExceeded") == 5


def test_the_same_totp_code_submitted_ten_times_at_once_succeeds_once(alice_account):
    _postgres_only()
    user = make_iam_user(alice_account.account, "otp")
    seed = b"k" * 20
    device = services.add_virtual_mfa_device(user, name="otp-phone", seed=seed)
    totp = TOTP(seed)
    totp.time = time.time()
    code = f"{totp.token():06d}"
    outcomes = _race(10, lambda: MFADevice.objects.get(pk=device.pk).verify_token(code))
    accepted = outcomes.count("ok")
    if accepted != 1:
        VIOLATIONS.append(f"TOTP code accepted {accepted} times")
    assert accepted == 1 and outcomes.count("refused") == 9
