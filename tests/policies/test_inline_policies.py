"""Inline policies of users, groups and roles: the aggregate size quotas and their effect."""

from __future__ import annotations

import pytest

from core.errors import (
    AccessDenied,
    LimitExceeded,
    MalformedPolicyDocument,
    NoSuchEntity,
    ValidationError,
)
from policies.engine import policy_size
from policies.models import InlinePolicy
from policies.operations import (
    delete_group_policy,
    delete_role_policy,
    delete_user_policy,
    get_group_policy,
    get_role_policy,
    get_user_policy,
    list_group_policies,
    list_role_policies,
    list_user_policies,
    put_group_policy,
    put_role_policy,
    put_user_policy,
)
from tests.factories import make_iam_user
from tests.policies.helpers import (
    allow,
    allowed,
    caller_for,
    deny,
    doc,
    make_group,
    make_role,
    policy_state,
)

pytestmark = pytest.mark.django_db

USERS = "arn:aws:iam::111122223333:user/"


def _sized(target: int) -> str:
    """A valid document of exactly ``target`` characters without whitespace."""
    base = doc(allow("iam:GetUser", Sid=""))
    padding = target - policy_size(base)
    return doc(allow("iam:GetUser", Sid="A" * padding))


def test_put_get_list_and_delete_a_user_policy(alice_account, alice):
    make_iam_user(alice_account.account, "dave")
    text = ('{"Version":"2012-10-17","Statement":'
            '[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}')
    put_user_policy(alice, user_name="dave", policy_name="Self", policy_document=text)
    assert get_user_policy(alice, user_name="dave", policy_name="Self").document == text
    put_user_policy(alice, user_name="dave", policy_name="Self",
                    policy_document=doc(allow("iam:ListUsers")))
    assert InlinePolicy.objects.filter(user__name="dave").count() == 1  # replaced, not added
    put_user_policy(alice, user_name="dave", policy_name="Other", policy_document=text)
    assert list_user_policies(alice, user_name="dave").items == ["Other", "Self"]
    first = list_user_policies(alice, user_name="dave", max_items=1)
    assert first.items == ["Other"] and first.is_truncated
    delete_user_policy(alice, user_name="dave", policy_name="Self")
    with pytest.raises(NoSuchEntity, match="The user policy with name Self cannot be found."):
        get_user_policy(alice, user_name="dave", policy_name="Self")
    with pytest.raises(NoSuchEntity, match="The user policy with name Self cannot be found."):
        delete_user_policy(alice, user_name="dave", policy_name="Self")


def test_group_and_role_inline_policies(alice_account, alice):
    make_group(alice_account.account, "Ops")
    make_role(alice_account.account, "app")
    put_group_policy(alice, group_name="Ops", policy_name="G",
                     policy_document=doc(allow("iam:GetGroup")))
    put_role_policy(alice, role_name="app", policy_name="R",
                    policy_document=doc(allow("iam:GetRole")))
    assert list_group_policies(alice, group_name="ops").items == ["G"]
    assert list_role_policies(alice, role_name="APP").items == ["R"]
    assert "iam:GetRole" in get_role_policy(alice, role_name="app", policy_name="R").document
    assert "iam:GetGroup" in get_group_policy(alice, group_name="Ops", policy_name="G").document
    delete_group_policy(alice, group_name="Ops", policy_name="G")
    delete_role_policy(alice, role_name="app", policy_name="R")
    with pytest.raises(NoSuchEntity, match="The group policy with name G cannot be found."):
        get_group_policy(alice, group_name="Ops", policy_name="G")
    with pytest.raises(NoSuchEntity, match="The role policy with name R cannot be found."):
        get_role_policy(alice, role_name="app", policy_name="R")


@pytest.mark.parametrize("holder, limit", [("user", 2048), ("group", 5120), ("role", 10240)])
def test_the_aggregate_of_a_principals_inline_policies_is_capped(alice_account, alice, holder,
                                                                  limit):
    make = {"user": lambda: make_iam_user(alice_account.account, "target"),
            "group": lambda: make_group(alice_account.account, "target"),
            "role": lambda: make_role(alice_account.account, "target")}[holder]
    make()
    put = {"user": put_user_policy, "group": put_group_policy, "role": put_role_policy}[holder]
    half = limit // 2
    target = {f"{holder}_name": "target"}
    put(alice, **target, policy_name="One", policy_document=_sized(half))
    put(alice, **target, policy_name="Two", policy_document=_sized(limit - half))
    before = policy_state()
    with pytest.raises(LimitExceeded, match=f"Maximum policy size of {limit} bytes exceeded for "
                                            f"{holder} target"):
        put(alice, **target, policy_name="Three", policy_document=_sized(200))
    assert policy_state() == before
    # Replacing a policy counts the new text instead of the old one.
    put(alice, **target, policy_name="Two", policy_document=_sized(limit - half))


def test_whitespace_does_not_count_toward_the_quota(alice):
    text = _sized(2048).replace(",", ",\n" + " " * 400)
    put_user_policy(alice, user_name="alice", policy_name="Roomy", policy_document=text)
    assert get_user_policy(alice, user_name="alice", policy_name="Roomy").document == text


def test_malformed_inline_document_and_bad_names(alice):
    with pytest.raises(MalformedPolicyDocument, match="Statement"):
        put_user_policy(alice, user_name="alice", policy_name="Bad",
                        policy_document='{"Version": "2012-10-17"}')
    with pytest.raises(MalformedPolicyDocument, match="identity-based policy"):
        put_user_policy(alice, user_name="alice", policy_name="Bad", policy_document=doc(
            allow("*", Principal="*")))
    for name in ("", "with space", "x" * 129):
        with pytest.raises(ValidationError, match="policyName"):
            put_user_policy(alice, user_name="alice", policy_name=name,
                            policy_document=doc(allow()))
    assert not InlinePolicy.objects.exists()


def test_an_added_inline_deny_takes_effect_on_the_very_next_decision(alice_account, alice):
    dave = caller_for(make_iam_user(alice_account.account, "dave"))
    put_user_policy(alice, user_name="dave", policy_name="Read",
                    policy_document=doc(allow("iam:List*")))
    assert allowed(dave, "iam:ListUsers", USERS)
    put_user_policy(alice, user_name="dave", policy_name="NoUsers",
                    policy_document=doc(deny("iam:ListUsers")))
    assert not allowed(dave, "iam:ListUsers", USERS)
    assert allowed(dave, "iam:ListRoles", "arn:aws:iam::111122223333:role/")
    delete_user_policy(alice, user_name="dave", policy_name="NoUsers")
    assert allowed(dave, "iam:ListUsers", USERS)


def test_a_group_inline_policy_decides_for_members(alice_account, alice):
    dave_user = make_iam_user(alice_account.account, "dave")
    make_group(alice_account.account, "Readers", dave_user)
    put_group_policy(alice, group_name="Readers", policy_name="R",
                     policy_document=doc(allow("iam:ListUsers")))
    assert allowed(caller_for(dave_user), "iam:ListUsers", USERS)


INLINE_CALLS = {
    "put_user_policy": lambda c: put_user_policy(c, user_name="alice", policy_name="X",
                                                 policy_document=doc(allow())),
    "get_user_policy": lambda c: get_user_policy(c, user_name="alice", policy_name="Mine"),
    "list_user_policies": lambda c: list_user_policies(c, user_name="alice"),
    "delete_user_policy": lambda c: delete_user_policy(c, user_name="alice", policy_name="Mine"),
    "put_group_policy": lambda c: put_group_policy(c, group_name="Ops", policy_name="X",
                                                   policy_document=doc(allow())),
    "get_group_policy": lambda c: get_group_policy(c, group_name="Ops", policy_name="Mine"),
    "list_group_policies": lambda c: list_group_policies(c, group_name="Ops"),
    "delete_group_policy": lambda c: delete_group_policy(c, group_name="Ops", policy_name="Mine"),
    "put_role_policy": lambda c: put_role_policy(c, role_name="app", policy_name="X",
                                                 policy_document=doc(allow())),
    "get_role_policy": lambda c: get_role_policy(c, role_name="app", policy_name="Mine"),
    "list_role_policies": lambda c: list_role_policies(c, role_name="app"),
    "delete_role_policy": lambda c: delete_role_policy(c, role_name="app", policy_name="Mine"),
}


@pytest.mark.parametrize("name", sorted(INLINE_CALLS))
def test_inline_calls_deny_bob_and_hide_from_charlie(alice_account, alice, bob, charlie, name):
    make_group(alice_account.account, "Ops")
    make_role(alice_account.account, "app")
    mine = doc(allow("iam:GetUser"))
    put_user_policy(alice, user_name="alice", policy_name="Mine", policy_document=mine)
    put_group_policy(alice, group_name="Ops", policy_name="Mine", policy_document=mine)
    put_role_policy(alice, role_name="app", policy_name="Mine", policy_document=mine)
    before = policy_state()
    with pytest.raises(AccessDenied):
        INLINE_CALLS[name](bob)
    with pytest.raises(NoSuchEntity):
        INLINE_CALLS[name](charlie)
    assert policy_state() == before
