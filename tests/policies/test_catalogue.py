"""The AWS managed policy catalogue: loaded by a data migration, read-only, and what it grants."""

from __future__ import annotations

import importlib
from datetime import datetime, timezone

import pytest
from django.apps import apps

from identities.models import User
from policies import catalogue
from policies.engine import PolicyKind, parse_policy, validate_policy
from policies.models import ManagedPolicy, PolicyVersion
from policies.operations import attach_user_policy, get_policy, list_policies
from tests.factories import make_iam_user
from tests.policies.helpers import (
    CHANGE_PASSWORD,
    OWN_CREDENTIALS_MFA,
    allowed,
    caller_for,
)

pytestmark = pytest.mark.django_db

ACCOUNT = "arn:aws:iam::111122223333"
EXPECTED = {
    "AdministratorAccess", "PowerUserAccess", "ReadOnlyAccess", "IAMFullAccess",
    "IAMReadOnlyAccess", "IAMUserChangePassword", "IAMManageOwnCredentialsWithMFA",
}
load_migration = importlib.import_module("policies.migrations.0002_load_aws_managed_policies")


def _user_with(account, name: str, policy_arn: str, root, *, path: str = "/", mfa: bool = False):
    user = make_iam_user(account, name)
    if path != "/":
        User.objects.filter(pk=user.pk).update(path=path)
        user.refresh_from_db()
    attach_user_policy(root, user_name=name, policy_arn=policy_arn)
    return caller_for(user, mfa_authenticated_at=datetime.now(timezone.utc) if mfa else None)


def test_the_migration_loaded_every_catalogue_policy_with_one_default_version():
    loaded = {p.name: p for p in ManagedPolicy.objects.filter(account__isnull=True)}
    assert EXPECTED <= set(loaded)
    for entry in catalogue.entries():
        policy = loaded[entry.name]
        assert policy.arn == f"arn:aws:iam::aws:policy/{entry.name}"
        assert policy.default_document == entry.document
        assert policy.policy_id == entry.policy_id and policy.policy_id.startswith("ANPA")
        versions = list(PolicyVersion.objects.filter(policy=policy).values_list(
            "version_id", "is_default", "document"))
        assert versions == [(entry.default_version_id, True, entry.document)]


def test_the_catalogue_keeps_aws_versions_and_dates(alice):
    power = get_policy(alice, policy_arn="arn:aws:iam::aws:policy/PowerUserAccess")
    assert power.default_version_id == "v12"
    assert power.created_at == datetime(2015, 2, 6, 18, 39, 47, tzinfo=timezone.utc)
    assert power.description.startswith("Provides full access to AWS services and resources, but")


@pytest.mark.parametrize("entry", catalogue.entries(), ids=lambda e: e.name)
def test_every_catalogue_document_is_a_valid_managed_policy(entry):
    parse_policy(entry.document, PolicyKind.MANAGED)
    assert [f for f in validate_policy(entry.document, PolicyKind.MANAGED)
            if f.finding_type == "ERROR"] == []


def test_the_migration_reverses_and_reapplies_cleanly(alice):
    load_migration.unload(apps, None)
    assert not ManagedPolicy.objects.filter(account__isnull=True).exists()
    load_migration.load(apps, None)
    load_migration.load(apps, None)  # idempotent
    aws_managed = ManagedPolicy.objects.filter(account__isnull=True)
    assert set(aws_managed.values_list("name", flat=True)) >= EXPECTED
    versions = PolicyVersion.objects.filter(policy__account__isnull=True)
    assert versions.count() == len(catalogue.entries())


def test_aws_managed_policies_are_listed_for_every_account(alice, charlie):
    for caller in (alice, charlie):
        assert EXPECTED <= {p.name for p in list_policies(caller, scope="AWS").items}


def test_iam_user_change_password_lets_a_user_change_only_their_own(alice_account, root):
    account = alice_account.account
    dave = _user_with(account, "dave", CHANGE_PASSWORD, root)
    erin = _user_with(account, "erin", CHANGE_PASSWORD, root, path="/staff/")
    assert allowed(dave, "iam:ChangePassword", f"{ACCOUNT}:user/dave")
    assert not allowed(dave, "iam:ChangePassword", f"{ACCOUNT}:user/erin")
    assert not allowed(dave, "iam:ChangePassword", f"{ACCOUNT}:user/staff/erin")
    assert allowed(erin, "iam:ChangePassword", f"{ACCOUNT}:user/staff/erin")
    assert allowed(dave, "iam:GetAccountPasswordPolicy", "*")
    assert not allowed(dave, "iam:ListUsers", f"{ACCOUNT}:user/")


def test_manage_own_credentials_requires_mfa_for_everything_but_mfa_setup(alice_account, root):
    account = alice_account.account
    without = _user_with(account, "dave", OWN_CREDENTIALS_MFA, root)
    with_mfa = caller_for(without.user, mfa_authenticated_at=datetime.now(timezone.utc))
    own, other = f"{ACCOUNT}:user/dave", f"{ACCOUNT}:user/erin"
    # Not signed in with MFA: only the listed MFA-setup actions get through.
    assert allowed(without, "iam:EnableMFADevice", own)
    assert allowed(without, "iam:CreateVirtualMFADevice", f"{ACCOUNT}:mfa/dave-phone")
    assert allowed(without, "iam:GetUser", own)
    assert not allowed(without, "iam:CreateAccessKey", own)
    assert not allowed(without, "iam:ChangePassword", own)
    # Signed in with MFA: their own credentials, nobody else's.
    assert allowed(with_mfa, "iam:CreateAccessKey", own)
    assert allowed(with_mfa, "iam:ChangePassword", own)
    assert not allowed(with_mfa, "iam:CreateAccessKey", other)
    assert not allowed(with_mfa, "iam:ListUsers", f"{ACCOUNT}:user/")


def test_power_user_and_read_only_grant_what_aws_says(alice_account, root):
    account = alice_account.account
    power = _user_with(account, "power", "arn:aws:iam::aws:policy/PowerUserAccess", root)
    reader = _user_with(account, "reader", "arn:aws:iam::aws:policy/ReadOnlyAccess", root)
    assert not allowed(power, "iam:CreateUser", f"{ACCOUNT}:user/x")
    assert allowed(power, "iam:ListRoles", f"{ACCOUNT}:role/")
    assert allowed(power, "sts:AssumeRole", f"{ACCOUNT}:role/app")
    assert allowed(reader, "iam:GetUser", f"{ACCOUNT}:user/x")
    assert allowed(reader, "sts:GetCallerIdentity", "*")
    assert not allowed(reader, "iam:CreateUser", f"{ACCOUNT}:user/x")
