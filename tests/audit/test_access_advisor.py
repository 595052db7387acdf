"""Access Advisor: which services an entity's policies allow, and when it last used each."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from audit.models import Event
from audit.operations import access_advisor, access_advisor_tab
from core.errors import AccessDenied, NoSuchEntity
from identities.models import Group, GroupMembership, Role
from identities.operations import users
from policies import policyset
from policies.models import InlinePolicy, ManagedPolicy, PolicyAttachment
from tests.factories import attach_managed, caller_for, make_iam_user

pytestmark = pytest.mark.django_db

STS_ONLY = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
            '"Action":"sts:AssumeRole","Resource":"*"}]}')


def _rows(result) -> dict:
    return {row.namespace: row for row in result.services}


def test_an_admin_is_allowed_both_services_and_her_last_use_is_shown(admin, alice):
    users.create_user(admin, user_name="dave")
    result = access_advisor(admin, entity_kind="user", name="alice")
    rows = _rows(result)
    assert result.entity_arn == alice.arn and result.tracking_days == 90
    assert rows["iam"].allowed and rows["iam"].allowed_actions == rows["iam"].total_actions
    assert rows["iam"].policies == ("granted",)
    assert rows["iam"].last_action == "iam:CreateUser" and rows["iam"].last_accessed
    assert rows["sts"].allowed and rows["sts"].last_accessed is None


def test_read_only_access_allows_part_of_iam_and_no_sts(admin, alice_account):
    reader = make_iam_user(alice_account.account, "reader")
    attach_managed(reader, "IAMReadOnlyAccess")
    rows = _rows(access_advisor(admin, entity_kind="user", name="reader"))
    assert 0 < rows["iam"].allowed_actions < rows["iam"].total_actions
    assert rows["iam"].policies == ("IAMReadOnlyAccess",)
    assert not rows["sts"].allowed and rows["sts"].policies == ()


def test_only_successful_events_count_as_access(admin, bob, alice_account):
    Event.objects.create(account_id=alice_account.id, principal_arn=bob.arn, action="iam:GetUser",
                         via="api", outcome="AccessDenied")
    rows = _rows(access_advisor(admin, entity_kind="user", name="bob"))
    assert not rows["iam"].allowed and rows["iam"].last_accessed is None


def test_a_group_reports_its_members_last_use(admin, alice_account):
    group = Group.objects.create(account=alice_account.account, name="readers",
                                 group_id="AGPAREADERS000000001")
    PolicyAttachment.objects.create(
        group=group, policy=ManagedPolicy.objects.get(account__isnull=True,
                                                      name="IAMReadOnlyAccess"))
    member = make_iam_user(alice_account.account, "member")
    GroupMembership.objects.create(group=group, user=member)
    policyset.bump(alice_account.id)
    when = timezone.now() - timedelta(hours=3)
    Event.objects.create(account_id=alice_account.id, principal_arn=member.arn, time=when,
                         action="iam:ListUsers", via="api", outcome="Success")
    rows = _rows(access_advisor(admin, entity_kind="group", name="readers"))
    assert rows["iam"].allowed and rows["iam"].last_accessed == when
    assert rows["iam"].last_principal == member.arn


def test_a_role_reports_its_sessions_last_use(admin, alice_account):
    role = Role.objects.create(account=alice_account.account, name="deployer",
                               role_id="AROADEPLOYER00000001", trust_policy="{}")
    InlinePolicy.objects.create(role=role, name="assume", document=STS_ONLY)
    policyset.bump(alice_account.id)
    session = f"arn:aws:sts::{alice_account.id}:assumed-role/deployer/ci-run"
    Event.objects.create(account_id=alice_account.id, principal_arn=session,
                         principal_type="AssumedRole", action="sts:GetCallerIdentity",
                         via="api", outcome="Success")
    # Another role whose name starts the same is not this one.
    Event.objects.create(account_id=alice_account.id, action="sts:AssumeRole", via="api",
                         principal_arn=f"arn:aws:sts::{alice_account.id}:assumed-role/deployer2/x",
                         outcome="Success")
    rows = _rows(access_advisor(admin, entity_kind="role", name="deployer"))
    assert rows["sts"].allowed and rows["sts"].policies == ("assume",)
    assert rows["sts"].last_action == "sts:GetCallerIdentity"
    assert rows["sts"].last_principal == session
    assert not rows["iam"].allowed
    assert role.arn == access_advisor(admin, entity_kind="role", name="deployer").entity_arn


def test_bob_is_refused_on_the_entity_and_the_tab_says_so(bob, alice):
    with pytest.raises(AccessDenied) as refused:
        access_advisor(caller_for(bob), entity_kind="user", name="alice")
    assert refused.value.action == "iam:GenerateServiceLastAccessedDetails"
    assert refused.value.resource == alice.arn
    tab = access_advisor_tab(caller_for(bob), entity_kind="user", name="alice")
    assert tab.denied and not tab.services
    html = render_to_string("audit/_access_advisor.html", {"advisor": tab})
    assert "iam:GenerateServiceLastAccessedDetails" in html
    assert Event.objects.filter(action="iam:GenerateServiceLastAccessedDetails",
                                outcome="AccessDenied").count() == 2


def test_charlie_cannot_find_alices_user(charlie, alice):
    with pytest.raises(NoSuchEntity):
        access_advisor(caller_for(charlie), entity_kind="user", name="alice")


def test_the_partial_shows_each_service(admin, alice):
    users.create_user(admin, user_name="dave")
    html = render_to_string("audit/_access_advisor.html",
                            {"advisor": access_advisor(admin, entity_kind="user", name="alice")})
    assert "AWS Identity and Access Management (IAM)" in html
    assert "AWS Security Token Service" in html
    assert "Not accessed in the tracking period" in html and "iam:CreateUser" in html
