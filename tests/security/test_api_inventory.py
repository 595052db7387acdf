"""Every implemented API action refuses a principal without a policy, in AWS's words,
and changes nothing.

Driven by ``awsquery.registry.implemented_actions()``: an action added to the
registry is covered here the day it is added. Parameters are built from
botocore's input shapes and name real entities of the caller's own account, so
that the refusal comes from authorization and not from a missing entity or bad
input. AWS requires no permission for two actions: GetCallerIdentity ("No
permissions are required to perform this operation") and GetSessionToken
(temporary credentials for oneself); ChangePassword needs none only when the
account's password policy lets users change their passwords, which this
account's does not.
"""

from __future__ import annotations

import pytest
from django.db import transaction

from identities import services
from identities.operations import credentials, groups, roles, users
from policies import operations as policy_ops
from tests.factories import grant, make_iam_user
from tests.security import figures
from tests.security.request_values import build, implemented, method
from tests.security.support import (
    ACCESS_DENIED,
    ADMIN,
    changed,
    error_of,
    in_process_client,
    new_key,
    snapshot,
)

pytestmark = pytest.mark.django_db

NO_PERMISSION_NEEDED = {("sts", "GetCallerIdentity"), ("sts", "GetSessionToken")}
ACCOUNT = "111122223333"


@pytest.fixture
def targets(alice_account) -> dict:
    """One of every entity an action can name, all in bob's own account."""
    from core.caller import Caller

    admin_user = make_iam_user(alice_account.account, "admin", password=None)
    grant(admin_user)
    admin = Caller.for_user(admin_user)
    target = users.create_user(admin, user_name="target")
    credentials.create_login_profile(admin, user_name="target", password="Tangerine-Oak-Drum-5")
    key = credentials.create_access_key(admin, user_name="target").key
    device = services.add_virtual_mfa_device(target, name="target-phone")
    groups.create_group(admin, group_name="crew")
    groups.add_user_to_group(admin, group_name="crew", user_name="target")
    roles.create_role(admin, role_name="Deploy", assume_role_policy_document=(
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole",'
        f'"Principal":{{"AWS":"arn:aws:iam::{ACCOUNT}:root"}}}}]}}'))
    policy = policy_ops.create_policy(admin, policy_name="Custom", policy_document=ADMIN)
    policy_ops.create_policy_version(admin, policy_arn=policy.arn, policy_document=ADMIN)
    for put, owner in ((policy_ops.put_user_policy, {"user_name": "target"}),
                       (policy_ops.put_group_policy, {"group_name": "crew"}),
                       (policy_ops.put_role_policy, {"role_name": "Deploy"})):
        put(admin, policy_name="inline", policy_document=ADMIN, **owner)
    return {"UserName": "target", "GroupName": "crew", "RoleName": "Deploy",
            "PolicyArn": policy.arn, "PermissionsBoundary": policy.arn, "PolicyName": "inline",
            "SerialNumber": device.serial_number, "AccessKeyId": key.access_key_id,
            "PolicySourceArn": target.arn, "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/Deploy",
            "VersionId": "v1"}


@pytest.fixture
def bob_clients(alice_account):
    bob = make_iam_user(alice_account.account, "bob", password=None)
    key_id, secret = new_key(bob)
    return {service: in_process_client(service, key_id, secret) for service in ("iam", "sts")}


def test_every_action_refuses_a_principal_without_a_policy_and_changes_nothing(
        targets, bob_clients):
    problems = []
    before = snapshot()
    for service, action in implemented():
        if (service, action) in NO_PERMISSION_NEEDED:
            continue
        figures.count("inventory_actions")
        params = build(service, action, targets)
        with transaction.atomic():  # a wrong success must not spoil the next comparison
            error = error_of(getattr(bob_clients[service], method(action)), **params)
            after = snapshot()
            transaction.set_rollback(True)
        expected = f"is not authorized to perform: {service}:{action} "
        if error.get("Code") != "AccessDenied" or error.get("Status") != 403:
            problems.append(f"{action}: {error or 'succeeded'}")
        elif not ACCESS_DENIED.match(error["Message"]) or expected not in error["Message"]:
            problems.append(f"{action}: message {error['Message']!r}")
        elif changed(before, after):
            problems.append(f"{action}: changed {changed(before, after)}")
        else:
            figures.count("inventory_refused")
    assert problems == [], "\n".join(problems)


def test_the_actions_aws_lets_anyone_call_work_without_a_policy(bob_clients):
    identity = bob_clients["sts"].get_caller_identity()
    assert identity["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/bob"
    issued = bob_clients["sts"].get_session_token(DurationSeconds=900)["Credentials"]
    assert issued["AccessKeyId"].startswith("ASIA")


def test_an_explicit_deny_is_named_in_the_refusal(targets, alice_account):
    """A Deny says "with an explicit deny in an identity-based policy", as AWS does."""
    from tests.security.support import deny, doc, set_inline

    carol = make_iam_user(alice_account.account, "carol", password=None)
    set_inline(carol, doc({"Effect": "Allow", "Action": "*", "Resource": "*"},
                          deny("iam:DeleteUser")))
    iam = in_process_client("iam", *new_key(carol))
    error = error_of(iam.delete_user, UserName="target")
    assert error["Code"] == "AccessDenied"
    assert error["Message"].startswith(
        f"User: arn:aws:iam::{ACCOUNT}:user/carol is not authorized to perform: iam:DeleteUser "
        f"on resource: arn:aws:iam::{ACCOUNT}:user/target with an explicit deny in an "
        "identity-based policy")
    assert ACCESS_DENIED.match(error["Message"])
