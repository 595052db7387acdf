"""Roles in the console: the role pages, and Switch role acting as the assumed role."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from core.caller import Caller
from identities.models import Role, User
from identities.operations.roles import create_role
from policies.models import InlinePolicy
from sts.models import RecentRole, RoleSession
from tests.factories import attach_managed, make_iam_user, sign_in_root, sign_in_user
from tests.sts.conftest import allow, doc, give, trust

pytestmark = pytest.mark.django_db


@pytest.fixture
def cross_account(alice_account, charlie_account):
    """dev in alice-co may assume ReadOnly in charlie-co, which trusts alice-co."""
    dev = make_iam_user(alice_account.account, "dev")
    role_arn = f"arn:aws:iam::{charlie_account.id}:role/ReadOnly"
    give(dev, doc(allow("sts:AssumeRole", role_arn)))
    root = Caller.for_user(charlie_account.root)
    create_role(root, role_name="ReadOnly",
                assume_role_policy_document=doc(trust(f"arn:aws:iam::{alice_account.id}:root")))
    role = Role.objects.get(name="ReadOnly")
    from policies.models import ManagedPolicy, PolicyAttachment

    PolicyAttachment.objects.create(role=role, policy=ManagedPolicy.objects.get(
        account__isnull=True, name="IAMReadOnlyAccess"))
    make_iam_user(charlie_account.account, "charlies-user")
    return role


def _switch(client, account: str, role: str = "ReadOnly"):
    return client.post("/iam/switch-role/", {"account": account, "role_name": role,
                                             "display_name": "Prod read", "color": "green"})


def test_switching_role_acts_as_the_role_in_the_other_account(client, alice_account,
                                                               charlie_account, cross_account):
    sign_in_user(client, alice_account.id, "dev")
    assert client.get("/iam/users/").status_code == 403
    assert _switch(client, "charlie-co").status_code == 302
    page = client.get("/iam/users/").content.decode()
    assert 'data-testid="role-label"' in page and "Prod read" in page
    assert "charlies-user" in page and ">dev<" not in page
    refused = client.post("/iam/create-user/", {"user_name": "x", "password_kind": "auto",
                                                "permissions_option": "groups"})
    assert refused.status_code == 403
    assert (f"arn:aws:sts::{charlie_account.id}:assumed-role/ReadOnly/dev is not authorized"
            in refused.content.decode())
    assert not User.objects.filter(name="x").exists()
    assert RecentRole.objects.filter(user__name="dev", account_id=charlie_account.id).exists()

    client.post("/iam/switch-back/")
    assert client.get("/iam/users/").status_code == 403
    assert RoleSession.objects.get(is_console=True).revoked_at is not None


def test_an_expired_console_session_switches_back_and_says_why(client, alice_account,
                                                                 cross_account):
    sign_in_user(client, alice_account.id, "dev")
    _switch(client, "charlie-co")
    RoleSession.objects.filter(is_console=True).update(
        expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get("/iam/users/")
    assert response["Location"] == "/iam/"
    page = client.get("/iam/").content.decode()
    assert "ended (it expired)" in page and 'data-testid="role-label"' not in page


def test_a_revoked_role_ends_the_console_session(client, alice_account, charlie_account,
                                                 cross_account):
    from sts.operations import revoke_role_sessions

    sign_in_user(client, alice_account.id, "dev")
    _switch(client, "charlie-co")
    revoke_role_sessions(Caller.for_user(charlie_account.root), role_name="ReadOnly")
    refused = client.get("/iam/users/")
    assert refused.status_code == 403
    assert "explicit deny" in refused.content.decode()


def test_a_user_without_sts_assume_role_cannot_switch(client, alice_account, cross_account):
    make_iam_user(alice_account.account, "nobody")
    sign_in_user(client, alice_account.id, "nobody")
    response = _switch(client, "charlie-co")
    assert response.status_code == 200
    assert "not authorized to perform: sts:AssumeRole" in response.content.decode()
    assert not RoleSession.objects.exists()


def test_root_cannot_switch_roles(client, alice_account, cross_account):
    sign_in_root(client, alice_account)
    page = client.get("/iam/switch-role/").content.decode()
    assert "root user cannot switch roles" in page
    response = _switch(client, "charlie-co")
    assert "Roles may not be assumed by root accounts." in response.content.decode()


def test_switch_role_link_prefills_the_form(client, alice_account, cross_account):
    sign_in_user(client, alice_account.id, "dev")
    page = client.get("/iam/switch-role/?account=444455556666&roleName=ReadOnly"
                      "&displayName=Prod&color=red").content.decode()
    assert 'value="444455556666"' in page and 'value="ReadOnly"' in page
    assert 'value="red" checked' in page


@pytest.fixture
def admin_client(alice_account):
    admin = make_iam_user(alice_account.account, "admin")
    attach_managed(admin, "AdministratorAccess")
    client = Client()
    sign_in_user(client, alice_account.id, "admin")
    return client


def test_create_role_writes_the_trust_policy_with_external_id_and_mfa(admin_client, alice_account):
    response = admin_client.post("/iam/create-role/", {
        "entity": "account", "which": "other", "trusted_account": "444455556666",
        "require_external_id": "on", "external_id": "partner-42", "require_mfa": "on",
        "role_name": "Partner", "max_session_duration": "7200",
        "policies": ["arn:aws:iam::aws:policy/IAMReadOnlyAccess"]})
    assert response.status_code == 302
    role = Role.objects.get(name="Partner")
    assert '"sts:ExternalId": "partner-42"' in role.trust_policy
    assert '"aws:MultiFactorAuthPresent": "true"' in role.trust_policy
    assert "arn:aws:iam::444455556666:root" in role.trust_policy
    assert role.max_session_duration == 7200
    html = admin_client.get("/iam/roles/").content.decode()
    assert "Account: 444455556666" in html


def test_role_trust_editor_refuses_a_malformed_policy(admin_client, alice_account):
    create_role(Caller.for_user(alice_account.root), role_name="Edited",
                assume_role_policy_document=doc(trust(f"arn:aws:iam::{alice_account.id}:root")))
    before = Role.objects.get(name="Edited").trust_policy
    admin_client.post("/iam/roles/Edited/trust/", {"policy_document": '{"Version": "2012-10-17"'})
    assert Role.objects.get(name="Edited").trust_policy == before
    page = admin_client.get("/iam/roles/Edited/?tab=trust").content.decode()
    assert "flash-danger" in page


def test_revoke_sessions_and_delete_from_the_role_page(admin_client, alice_account):
    create_role(Caller.for_user(alice_account.root), role_name="Temp",
                assume_role_policy_document=doc(trust(f"arn:aws:iam::{alice_account.id}:root")))
    admin_client.post("/iam/roles/Temp/revoke-sessions/")
    assert InlinePolicy.objects.filter(role__name="Temp", name="AWSRevokeOlderSessions").exists()
    admin_client.post("/iam/roles/Temp/delete/", {"confirm": "Temp"})
    assert not Role.objects.filter(name="Temp").exists()


def test_bob_cannot_see_or_create_roles(client, alice_account):
    make_iam_user(alice_account.account, "bob")
    sign_in_user(client, alice_account.id, "bob")
    assert client.get("/iam/roles/").status_code == 403
    client.post("/iam/create-role/", {"entity": "account", "which": "this", "role_name": "X"})
    assert not Role.objects.filter(name="X").exists()
