"""Tenant isolation: a principal allowed everything (``*`` on ``*``) in account A
reaches account B only through a role whose trust policy in B lets A in.

Every implemented action (the registry) is called with B's entities in every
parameter that names one - user, group, role and inline policy names, B's policy
ARNs, MFA serial numbers, access key ids, ARNs, list markers taken from B's own
lists - and must find nothing (NoSuchEntity, or AccessDenied where the ARN is
authorized first), change nothing in B, and show nothing of B in its answer.
One exception is AWS's: GetAccessKeyInfo tells anyone which account a key id
belongs to ("returns the account ID of the key"), and nothing else.
"""

from __future__ import annotations

import pytest
from django.db import transaction

from core.caller import Caller
from identities import services
from identities.operations import credentials, groups, roles, users
from policies import operations as policy_ops
from policies.models import ManagedPolicy
from tests.factories import grant, make_iam_user
from tests.security import figures
from tests.security.request_values import build, implemented, members, method
from tests.security.support import (
    ADMIN,
    account_snapshot,
    allow,
    changed,
    doc,
    error_of,
    in_process_client,
    new_key,
    set_inline,
    snapshot,
)

pytestmark = pytest.mark.django_db

A, B = "111122223333", "444455556666"
ENTITY_MEMBERS = {"UserName", "GroupName", "RoleName", "PolicyArn", "PermissionsBoundary",
                  "SerialNumber", "AccessKeyId", "PolicySourceArn", "RoleArn", "EncodedMessage"}
# Members that name the entity an action creates: a name of B's is a fresh name in A.
NEW_NAMES = {("CreateUser", "UserName"), ("CreateGroup", "GroupName"),
             ("CreateRole", "RoleName")}


def _trust(principal: str) -> str:
    return doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": principal}})


@pytest.fixture
def b_world(charlie_account) -> dict:
    """Two of everything in B, so that B's own lists are truncated and give markers."""
    admin_user = make_iam_user(charlie_account.account, "badmin", password=None)
    grant(admin_user)
    admin = Caller.for_user(admin_user)
    for suffix in ("", "2"):
        user = users.create_user(admin, user_name=f"victim{suffix}",
                                 tags=[{"Key": "k", "Value": "v"}, {"Key": "k2", "Value": "v"}])
        groups.create_group(admin, group_name=f"vgroup{suffix}")
        groups.add_user_to_group(admin, group_name=f"vgroup{suffix}", user_name="victim")
        roles.create_role(admin, role_name=f"vrole{suffix}",
                          assume_role_policy_document=_trust(f"arn:aws:iam::{B}:root"),
                          tags=[{"Key": "k", "Value": "v"}, {"Key": "k2", "Value": "v"}])
        policy = policy_ops.create_policy(admin, policy_name=f"VPolicy{suffix}",
                                          policy_document=ADMIN)
        for put, owner in ((policy_ops.put_user_policy, {"user_name": "victim"}),
                           (policy_ops.put_group_policy, {"group_name": "vgroup"}),
                           (policy_ops.put_role_policy, {"role_name": "vrole"})):
            put(admin, policy_name=f"vinline{suffix}", policy_document=ADMIN, **owner)
        for attach, owner in ((policy_ops.attach_user_policy, {"user_name": "victim"}),
                              (policy_ops.attach_group_policy, {"group_name": "vgroup"}),
                              (policy_ops.attach_role_policy, {"role_name": "vrole"})):
            attach(admin, policy_arn=policy.arn, **owner)
        services.add_virtual_mfa_device(user, name=f"victim-phone{suffix}")
        credentials.create_access_key(admin, user_name="victim")
    policy_ops.create_policy_version(admin, policy_arn=policy.arn, policy_document=ADMIN)
    policy_ops.put_user_permissions_boundary(admin, user_name="victim",
                                             permissions_boundary=policy.arn)
    credentials.create_login_profile(admin, user_name="victim", password="Tangerine-Oak-Drum-5")
    victim = users.User.objects.get(account_id=B, name="victim")
    refs = {"UserName": "victim", "GroupName": "vgroup", "RoleName": "vrole",
            "PolicyArn": policy.arn, "PermissionsBoundary": policy.arn, "PolicyName": "vinline",
            "VersionId": "v1", "SerialNumber": victim.mfa_devices.first().serial_number,
            "AccessKeyId": victim.access_keys.first().access_key_id,
            "PolicySourceArn": victim.arn, "RoleArn": f"arn:aws:iam::{B}:role/vrole",
            "AccountAlias": charlie_account.account.alias}
    secrets = {victim.user_id, charlie_account.root.email, admin_user.user_id}
    secrets |= set(users.User.objects.filter(account_id=B, kind=users.User.Kind.IAM)
                   .values_list("user_id", flat=True))
    secrets |= set(groups.Group.objects.filter(account_id=B).values_list("group_id", flat=True))
    secrets |= set(roles.Role.objects.filter(account_id=B).values_list("role_id", flat=True))
    secrets |= set(ManagedPolicy.objects.filter(account_id=B).values_list("policy_id", flat=True))
    return {"refs": refs, "secrets": secrets, "admin": admin_user, "key": new_key(admin_user)}


def _b_markers(b_world) -> dict[str, str]:
    """Per action, the marker B's own administrator gets from the first item of the list."""
    clients = {s: in_process_client(s, *b_world["key"]) for s in ("iam", "sts")}
    markers = {}
    for service, action in implemented():
        if "Marker" not in members(service, action) or "MaxItems" not in members(service, action):
            continue
        params = {**build(service, action, b_world["refs"]), "MaxItems": 1}
        params.pop("Marker", None)
        try:
            page = getattr(clients[service], method(action))(**params)
        except Exception:  # a list B itself may not call this way: no marker from it
            continue
        if page.get("Marker"):
            markers[action] = page["Marker"]
    return markers


def _encoded_message_of_b(b_world) -> str:
    """An encoded authorization failure message issued in B (for DecodeAuthorizationMessage)."""
    nobody = make_iam_user(b_world["admin"].account, "bnobody", password=None)
    error = error_of(in_process_client("iam", *new_key(nobody)).list_users)
    marker = "Encoded authorization failure message: "
    return error["Message"].split(marker, 1)[1] if marker in error["Message"] else "x"


@pytest.fixture
def attacker(alice_account):
    user = make_iam_user(alice_account.account, "attacker", password=None)
    set_inline(user, ADMIN)
    return new_key(user)


def _expected(action: str, params: dict) -> set[str] | None:
    """The codes an action naming B's entities may answer; None: any non-5xx answer."""
    if action == "GetAccessKeyInfo":
        return {"Success"}
    if action == "CreateAccountAlias":
        return {"EntityAlreadyExists"}  # aliases are unique across accounts, as in AWS
    if action == "DeleteAccountAlias":
        return {"NoSuchEntity"}
    if action == "DecodeAuthorizationMessage":
        return {"InvalidAuthorizationMessageException"}
    named = {m for m in params if m in ENTITY_MEMBERS and (action, m) not in NEW_NAMES}
    # A marker of B's that is no position in A's list is refused before any lookup.
    return {"NoSuchEntity", "AccessDenied", "InvalidInput"} if named else None


def test_every_action_naming_another_accounts_entities_finds_and_changes_nothing(
        b_world, attacker):
    refs = {**b_world["refs"], "EncodedMessage": _encoded_message_of_b(b_world)}
    markers = _b_markers(b_world)
    fallback_marker = markers.get("ListUsers")
    seen: list = []
    clients = {s: in_process_client(s, *attacker, seen=seen) for s in ("iam", "sts")}
    problems = []
    # Every call is rolled back, so one picture of before serves them all; B is
    # looked at again only when something changed at all.
    before, b_before = snapshot(), account_snapshot(B)
    for service, action in implemented():
        marker = markers.get(action, fallback_marker)
        params = build(service, action, {**refs, **({"Marker": marker} if marker else {})})
        expected = _expected(action, params)
        figures.count("isolation_calls")
        with transaction.atomic():
            error = error_of(getattr(clients[service], method(action)), **params)
            after = snapshot()
            b_after = account_snapshot(B) if changed(before, after) else b_before
            transaction.set_rollback(True)  # an action that rightly succeeds in A is undone
        code = error.get("Code", "Success")
        leaked = [s for s in b_world["secrets"] if s.encode() in seen[-1][2]]
        if changed(b_before, b_after) or leaked or error.get("Status", 200) >= 500:
            problems.append(f"{action}: {code}, B changed {changed(b_before, b_after)}, "
                            f"leaked {leaked}")
        elif expected is not None and (code not in expected or (
                code == "InvalidInput" and "Marker" not in error.get("Message", ""))):
            problems.append(f"{action}: {code} ({error.get('Message', '')[:120]})")
        elif expected is not None and code != "Success" and changed(before, after):
            problems.append(f"{action}: refused but changed {changed(before, after)}")
        else:
            figures.count("isolation_refused")
    assert problems == [], "\n".join(problems)


def test_get_access_key_info_tells_the_account_of_anothers_key_and_nothing_more(
        b_world, attacker):
    sts = in_process_client("sts", *attacker)
    answer = sts.get_access_key_info(AccessKeyId=b_world["refs"]["AccessKeyId"])
    assert answer["Account"] == B
    assert set(answer) == {"Account", "ResponseMetadata"}


def test_only_a_role_whose_trust_policy_lets_a_in_opens_account_b(b_world, attacker):
    admin = Caller.for_user(b_world["admin"])
    roles.create_role(admin, role_name="bridge",
                      assume_role_policy_document=_trust(f"arn:aws:iam::{A}:root"))
    set_inline(roles.get_role(admin, role_name="bridge"),
               doc(allow("iam:GetUser", f"arn:aws:iam::{B}:user/victim")))
    sts = in_process_client("sts", *attacker)
    refused = error_of(sts.assume_role, RoleArn=f"arn:aws:iam::{B}:role/vrole",
                       RoleSessionName="nope")
    assert refused["Code"] == "AccessDenied"

    issued = sts.assume_role(RoleArn=f"arn:aws:iam::{B}:role/bridge",
                             RoleSessionName="invited")["Credentials"]
    inside = in_process_client("iam", issued["AccessKeyId"], issued["SecretAccessKey"],
                               issued["SessionToken"])
    assert inside.get_user(UserName="victim")["User"]["Arn"] == f"arn:aws:iam::{B}:user/victim"
    before = account_snapshot(B)
    assert error_of(inside.delete_user, UserName="victim2")["Code"] == "AccessDenied"
    assert error_of(inside.list_users)["Code"] == "AccessDenied"
    assert account_snapshot(B) == before


def test_names_are_per_account_so_b_names_do_not_collide_in_a(b_world, attacker):
    iam = in_process_client("iam", *attacker)
    assert iam.create_user(UserName="victim")["User"]["Arn"] == f"arn:aws:iam::{A}:user/victim"
    assert iam.create_group(GroupName="vgroup")["Group"]["Arn"].startswith(f"arn:aws:iam::{A}:")
    listed = {u["UserName"] for u in iam.list_users()["Users"]}
    assert "victim2" not in listed and "badmin" not in listed


def test_console_pages_naming_b_entities_find_nothing_and_change_nothing(b_world, alice_account):
    """The console, as an administrator of A: every page that takes a user, group,
    role, policy or key of B in its path answers "not found" or refuses, and B's
    identifiers appear on none of them."""
    import re

    from django.test import Client
    from django.urls import URLPattern, URLResolver, get_resolver

    from tests.factories import sign_in_user

    admin = make_iam_user(alice_account.account, "aadmin")
    set_inline(admin, ADMIN)
    browser = Client()
    sign_in_user(browser, A, "aadmin")
    refs = b_world["refs"]
    values = {"user_name": "victim", "group_name": "vgroup", "role_name": "vrole",
              "policy_arn": refs["PolicyArn"], "access_key_id": refs["AccessKeyId"]}

    def walk(resolver, prefix=""):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                yield prefix + str(entry.pattern)

    b_before = account_snapshot(B)
    problems = []
    for pattern in walk(get_resolver()):
        names = re.findall(r"<(?:\w+:)?(\w+)>", pattern)
        if not names or not set(names) <= set(values):
            continue
        url = "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], pattern)
        for method_name in ("get", "post"):
            response = getattr(browser, method_name)(url, {"confirm": "victim", "do": "delete"})
            figures.count("isolation_calls")
            leaked = [s for s in b_world["secrets"] if s.encode() in response.content]
            if response.status_code not in (302, 403, 404, 405) or leaked:
                problems.append(f"{method_name.upper()} {url}: {response.status_code} {leaked}")
            else:
                figures.count("isolation_refused")
    assert problems == [], "\n".join(problems)
    assert account_snapshot(B) == b_before
