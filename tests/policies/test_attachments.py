"""Attaching managed policies to users, groups and roles, and what the engine then decides."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from core.errors import AccessDenied, InvalidInput, LimitExceeded, NoSuchEntity, ValidationError
from identities.models import User
from policies.models import PolicyAttachment
from policies.operations import (
    AttachedPolicy,
    attach_group_policy,
    attach_role_policy,
    attach_user_policy,
    create_policy,
    detach_group_policy,
    detach_role_policy,
    detach_user_policy,
    list_attached_group_policies,
    list_attached_role_policies,
    list_attached_user_policies,
    list_entities_for_policy,
    put_user_permissions_boundary,
    put_user_policy,
)
from tests.factories import make_iam_user
from tests.policies.helpers import (
    ADMIN,
    IAM_READ_ONLY,
    READ_ONLY,
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


def _policies(alice, count: int, prefix: str = "P") -> list[str]:
    return [create_policy(alice, policy_name=f"{prefix}{n}",
                          policy_document=doc(allow(f"iam:Get{prefix}{n}"))).arn
            for n in range(count)]


def test_attach_list_and_detach_a_user_policy(alice_account, alice):
    make_iam_user(alice_account.account, "dave")
    attach_user_policy(alice, user_name="dave", policy_arn=IAM_READ_ONLY)
    attach_user_policy(alice, user_name="DAVE", policy_arn=IAM_READ_ONLY)  # again: a no-op
    page = list_attached_user_policies(alice, user_name="dave")
    assert page.items == [AttachedPolicy("IAMReadOnlyAccess", IAM_READ_ONLY)]
    detach_user_policy(alice, user_name="dave", policy_arn=IAM_READ_ONLY)
    assert list_attached_user_policies(alice, user_name="dave").items == []
    with pytest.raises(NoSuchEntity, match=f"Policy {IAM_READ_ONLY} was not found."):
        detach_user_policy(alice, user_name="dave", policy_arn=IAM_READ_ONLY)


def test_list_attached_filters_by_path_and_pages(alice):
    pathy = create_policy(alice, policy_name="Pathy", policy_document=doc(allow("iam:GetUser")),
                          path="/ops/")
    attach_user_policy(alice, user_name="alice", policy_arn=pathy.arn)
    attach_user_policy(alice, user_name="alice", policy_arn=READ_ONLY)
    names = [p.policy_name for p in list_attached_user_policies(alice, user_name="alice").items]
    assert names == ["AdministratorAccess", "Pathy", "ReadOnlyAccess"]
    only_ops = list_attached_user_policies(alice, user_name="alice", path_prefix="/ops/")
    assert [p.policy_name for p in only_ops.items] == ["Pathy"]
    first = list_attached_user_policies(alice, user_name="alice", max_items=2)
    rest = list_attached_user_policies(alice, user_name="alice", marker=first.marker)
    assert [p.policy_name for p in first.items + rest.items] == names


def test_another_accounts_policy_cannot_be_attached(alice, charlie):
    theirs = create_policy(charlie, policy_name="Theirs", policy_document=doc(allow("*")))
    before = policy_state()
    with pytest.raises(NoSuchEntity,
                       match=f"Policy {theirs.arn} does not exist or is not attachable."):
        attach_user_policy(alice, user_name="alice", policy_arn=theirs.arn)
    assert policy_state() == before


def test_unknown_policy_and_malformed_arn(alice):
    with pytest.raises(NoSuchEntity, match="does not exist or is not attachable"):
        attach_user_policy(alice, user_name="alice",
                           policy_arn="arn:aws:iam::aws:policy/NoSuchThing")
    with pytest.raises(InvalidInput, match="ARN arn:aws:iam::aws:role/X is not valid."):
        attach_user_policy(alice, user_name="alice", policy_arn="arn:aws:iam::aws:role/X")
    with pytest.raises(ValidationError, match="userName"):
        attach_user_policy(alice, user_name="not a name", policy_arn=ADMIN)


@pytest.mark.parametrize("holder, noun", [("user", "User"), ("group", "Group"), ("role", "Role")])
def test_the_eleventh_managed_policy_is_limit_exceeded(alice_account, alice, holder, noun):
    if holder == "user":
        make_iam_user(alice_account.account, "target")
    elif holder == "group":
        make_group(alice_account.account, "target")
    else:
        make_role(alice_account.account, "target")
    attach = {"user": attach_user_policy, "group": attach_group_policy,
              "role": attach_role_policy}[holder]
    arns = _policies(alice, 11)
    for arn in arns[:10]:
        attach(alice, **{f"{holder}_name": "target", "policy_arn": arn})
    with pytest.raises(LimitExceeded, match=f"Cannot exceed quota for PoliciesPer{noun}: 10"):
        attach(alice, **{f"{holder}_name": "target", "policy_arn": arns[10]})
    assert PolicyAttachment.objects.filter(**{f"{holder}__name": "target"}).count() == 10


def test_detach_takes_effect_on_the_very_next_decision(alice_account, alice):
    dave = caller_for(make_iam_user(alice_account.account, "dave"))
    attach_user_policy(alice, user_name="dave", policy_arn=IAM_READ_ONLY)
    assert allowed(dave, "iam:ListUsers", USERS)
    detach_user_policy(alice, user_name="dave", policy_arn=IAM_READ_ONLY)
    assert not allowed(dave, "iam:ListUsers", USERS)


def test_group_policies_decide_for_their_members(alice_account, alice):
    dave_user = make_iam_user(alice_account.account, "dave")
    dave = caller_for(dave_user)
    make_group(alice_account.account, "Readers", dave_user)
    assert not allowed(dave, "iam:ListUsers", USERS)
    attach_group_policy(alice, group_name="Readers", policy_arn=IAM_READ_ONLY)
    assert allowed(dave, "iam:ListUsers", USERS)
    attached = list_attached_group_policies(alice, group_name="readers").items
    assert [p.policy_arn for p in attached] == [IAM_READ_ONLY]
    detach_group_policy(alice, group_name="Readers", policy_arn=IAM_READ_ONLY)
    assert not allowed(dave, "iam:ListUsers", USERS)


def test_a_deny_attached_to_a_group_beats_the_users_allow(alice_account, alice):
    dave_user = make_iam_user(alice_account.account, "dave")
    dave = caller_for(dave_user)
    attach_user_policy(alice, user_name="dave", policy_arn=ADMIN)
    make_group(alice_account.account, "Restricted", dave_user)
    no_deletes = create_policy(alice, policy_name="NoDeletes",
                               policy_document=doc(deny("iam:Delete*")))
    assert allowed(dave, "iam:DeleteUser", USERS + "x")
    attach_group_policy(alice, group_name="Restricted", policy_arn=no_deletes.arn)
    assert not allowed(dave, "iam:DeleteUser", USERS + "x")
    assert allowed(dave, "iam:CreateUser", USERS + "x")


def test_role_attachments(alice_account, alice):
    make_role(alice_account.account, "app", path="/service/")
    attach_role_policy(alice, role_name="app", policy_arn=READ_ONLY)
    assert list_attached_role_policies(alice, role_name="APP").items == [
        AttachedPolicy("ReadOnlyAccess", READ_ONLY)]
    detach_role_policy(alice, role_name="app", policy_arn=READ_ONLY)
    assert list_attached_role_policies(alice, role_name="app").items == []


def test_policy_arn_condition_limits_which_policies_may_be_attached(alice_account, root):
    make_iam_user(alice_account.account, "dave")
    delegate_user = make_iam_user(alice_account.account, "delegate")
    put_user_policy(root, user_name="delegate", policy_name="HandOutReadOnly", policy_document=doc(
        allow(["iam:AttachUserPolicy", "iam:DetachUserPolicy"], USERS + "*",
              Condition={"ArnEquals": {"iam:PolicyARN": IAM_READ_ONLY}})))
    delegate = caller_for(delegate_user)
    attach_user_policy(delegate, user_name="dave", policy_arn=IAM_READ_ONLY)
    before = policy_state()
    with pytest.raises(AccessDenied, match="iam:AttachUserPolicy"):
        attach_user_policy(delegate, user_name="dave", policy_arn=ADMIN)
    assert policy_state() == before
    detach_user_policy(delegate, user_name="dave", policy_arn=IAM_READ_ONLY)


ATTACH_CALLS = {
    "attach_user_policy": lambda c: attach_user_policy(c, user_name="alice", policy_arn=READ_ONLY),
    "detach_user_policy": lambda c: detach_user_policy(c, user_name="alice", policy_arn=ADMIN),
    "list_attached_user_policies": lambda c: list_attached_user_policies(c, user_name="alice"),
    "attach_group_policy": lambda c: attach_group_policy(c, group_name="Admins",
                                                         policy_arn=READ_ONLY),
    "detach_group_policy": lambda c: detach_group_policy(c, group_name="Admins", policy_arn=ADMIN),
    "list_attached_group_policies": lambda c: list_attached_group_policies(c, group_name="Admins"),
    "attach_role_policy": lambda c: attach_role_policy(c, role_name="app", policy_arn=READ_ONLY),
    "detach_role_policy": lambda c: detach_role_policy(c, role_name="app", policy_arn=ADMIN),
    "list_attached_role_policies": lambda c: list_attached_role_policies(c, role_name="app"),
    "list_entities_for_policy": lambda c: list_entities_for_policy(
        c, policy_arn="arn:aws:iam::111122223333:policy/Local"),
}


@pytest.mark.parametrize("name", sorted(ATTACH_CALLS))
def test_attachment_calls_deny_bob_and_hide_from_charlie(alice_account, alice, bob, charlie, name):
    make_group(alice_account.account, "Admins")
    make_role(alice_account.account, "app")
    create_policy(alice, policy_name="Local", policy_document=doc(allow("iam:GetUser")))
    attach_group_policy(alice, group_name="Admins", policy_arn=ADMIN)
    attach_role_policy(alice, role_name="app", policy_arn=ADMIN)
    before = policy_state()
    with pytest.raises(AccessDenied):
        ATTACH_CALLS[name](bob)
    with pytest.raises(NoSuchEntity):
        ATTACH_CALLS[name](charlie)
    assert policy_state() == before


def test_list_entities_for_policy_lists_this_accounts_users_groups_roles_and_boundaries(
        alice_account, alice, charlie):
    account = alice_account.account
    make_iam_user(account, "dave")
    make_iam_user(account, "erin")
    make_group(account, "Readers")
    make_role(account, "app", path="/svc/")
    for call, kwargs in ((attach_user_policy, {"user_name": "dave"}),
                         (attach_group_policy, {"group_name": "Readers"}),
                         (attach_role_policy, {"role_name": "app"})):
        call(alice, policy_arn=READ_ONLY, **kwargs)
    put_user_permissions_boundary(alice, user_name="erin", permissions_boundary=READ_ONLY)
    attach_user_policy(charlie, user_name="charlie", policy_arn=READ_ONLY)

    result = list_entities_for_policy(alice, policy_arn=READ_ONLY)
    assert sorted(u.name for u in result.policy_users) == ["dave", "erin"]
    assert [g.name for g in result.policy_groups] == ["Readers"]
    assert [r.name for r in result.policy_roles] == ["app"]
    only_roles = list_entities_for_policy(alice, policy_arn=READ_ONLY, entity_filter="Role")
    assert (only_roles.policy_users, [r.name for r in only_roles.policy_roles]) == ([], ["app"])
    boundaries = list_entities_for_policy(alice, policy_arn=READ_ONLY,
                                          policy_usage_filter="PermissionsBoundary")
    assert [u.name for u in boundaries.policy_users] == ["erin"] and boundaries.policy_groups == []
    under_svc = list_entities_for_policy(alice, policy_arn=READ_ONLY, path_prefix="/svc/")
    assert ([r.name for r in under_svc.policy_roles], under_svc.policy_users) == (["app"], [])
    assert list_entities_for_policy(alice, policy_arn=READ_ONLY,
                                    entity_filter="LocalManagedPolicy").policy_users == []


def test_list_entities_for_policy_pages_across_attachments_and_boundaries(alice_account, alice):
    for name in ("u1", "u2", "u3"):
        make_iam_user(alice_account.account, name)
        attach_user_policy(alice, user_name=name, policy_arn=READ_ONLY)
    make_iam_user(alice_account.account, "b1")
    put_user_permissions_boundary(alice, user_name="b1", permissions_boundary=READ_ONLY)
    seen, marker = [], None
    while True:
        page = list_entities_for_policy(alice, policy_arn=READ_ONLY, max_items=2, marker=marker)
        seen.extend(u.name for u in page.policy_users)
        if not page.is_truncated:
            break
        marker = page.marker
    assert seen == ["u1", "u2", "u3", "b1"]
    with pytest.raises(InvalidInput, match="Invalid Marker"):
        list_entities_for_policy(alice, policy_arn=READ_ONLY, marker="Zgarbage")


# Real commits, so that two connections can race. Only root acts: nothing here needs the
# AWS managed catalogue, which the flush after a transactional test removes.
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_tenth_attachments_cannot_make_eleven(alice_account):
    """Two connections race for the tenth and last slot of one user: exactly one wins."""
    root_user = alice_account.root
    root = caller_for(root_user)
    make_iam_user(alice_account.account, "target")
    arns = [create_policy(root, policy_name=f"P{n}", policy_document=doc(allow(f"iam:Get{n}"))).arn
            for n in range(11)]
    for arn in arns[:9]:
        attach_user_policy(root, user_name="target", policy_arn=arn)
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def attach(arn: str) -> None:
        try:
            start.wait(timeout=10)
            attach_user_policy(caller_for(User.objects.get(pk=root_user.pk)), user_name="target",
                               policy_arn=arn)
            outcomes.append("attached")
        except LimitExceeded:
            outcomes.append("limit")
        except Exception as exc:  # reported in the assertion below, not lost in the thread
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=attach, args=(arn,)) for arn in arns[9:]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["attached", "limit"]
    assert PolicyAttachment.objects.filter(user__name="target").count() == 10
