"""The policy simulator: decisions with their reasons, context entries, and who may simulate."""

from __future__ import annotations

import pytest

from core.errors import AccessDenied, InvalidInput, NoSuchEntity
from policies.engine import PolicyKind, PolicySet, Principal, compile_policy
from policies.operations import (
    attach_group_policy,
    attach_user_policy,
    create_policy,
    get_context_keys_for_custom_policy,
    get_context_keys_for_principal_policy,
    put_user_permissions_boundary,
    put_user_policy,
    simulate_custom_policy,
    simulate_principal_policy,
)
from policies.simulation import context_from_entries, simulate
from tests.factories import make_iam_user
from tests.policies.helpers import (
    ADMIN,
    CHANGE_PASSWORD,
    IAM_READ_ONLY,
    allow,
    deny,
    doc,
    make_group,
    make_role,
)

pytestmark = pytest.mark.django_db

ACCOUNT = "arn:aws:iam::111122223333"
DAVE = f"{ACCOUNT}:user/dave"


def _by_action(results):
    return {(r.eval_action_name, r.eval_resource_name): r for r in results}


def test_simulate_principal_policy_reports_the_deciding_statements(alice_account, alice):
    make_iam_user(alice_account.account, "dave")
    put_user_policy(alice, user_name="dave", policy_name="Rules", policy_document=doc(
        {"Sid": "ReadUsers", **allow("iam:ListUsers")},
        {"Sid": "NoDeletes", **deny("iam:DeleteUser")},
        {"Sid": "Everything", **allow("iam:*")}))
    results = _by_action(simulate_principal_policy(
        alice, policy_source_arn=DAVE,
        action_names=["iam:ListUsers", "iam:DeleteUser", "sts:AssumeRole"],
        resource_arns=[f"{ACCOUNT}:user/x"]))
    listed = results[("iam:ListUsers", f"{ACCOUNT}:user/x")]
    assert listed.eval_decision == "allowed"
    assert [(s.policy_id, s.sid, s.index) for s in listed.deciding_statements] == [
        ("inline:Rules", "ReadUsers", 0), ("inline:Rules", "Everything", 2)]
    deleted = results[("iam:DeleteUser", f"{ACCOUNT}:user/x")]
    assert deleted.eval_decision == "explicitDeny"
    assert [s.sid for s in deleted.deciding_statements] == ["NoDeletes"]
    assert {s.sid for s in deleted.matched_statements} == {"NoDeletes", "Everything"}
    assumed = results[("sts:AssumeRole", f"{ACCOUNT}:user/x")]
    assert (assumed.eval_decision, assumed.deciding_statements) == ("implicitDeny", ())
    assert assumed.allowed_by_permissions_boundary is None


def test_simulate_a_user_includes_group_policies_and_the_boundary(alice_account, alice):
    dave = make_iam_user(alice_account.account, "dave")
    make_group(alice_account.account, "Admins", dave)
    attach_group_policy(alice, group_name="Admins", policy_arn=ADMIN)
    put_user_permissions_boundary(alice, user_name="dave", permissions_boundary=IAM_READ_ONLY)
    results = _by_action(simulate_principal_policy(
        alice, policy_source_arn=DAVE, action_names=["iam:GetUser", "iam:CreateUser"]))
    read = results[("iam:GetUser", "*")]
    assert read.eval_decision == "allowed" and read.allowed_by_permissions_boundary is True
    assert read.deciding_statements[0].policy_id == ADMIN
    write = results[("iam:CreateUser", "*")]
    assert (write.eval_decision, write.allowed_by_permissions_boundary) == ("implicitDeny", False)
    assert write.denied_by == "permissions boundary"


def test_input_lists_add_policies_and_replace_the_boundary(alice_account, alice):
    make_iam_user(alice_account.account, "dave")
    put_user_permissions_boundary(alice, user_name="dave", permissions_boundary=IAM_READ_ONLY)
    [result] = simulate_principal_policy(
        alice, policy_source_arn=DAVE, action_names=["iam:CreateUser"],
        policy_input_list=[doc(allow("iam:CreateUser"))],
        permissions_boundary_policy_input_list=[doc(allow("iam:*"))])
    assert result.eval_decision == "allowed"
    assert result.deciding_statements[0].policy_id == "PolicyInputList.1"
    with pytest.raises(InvalidInput, match="PolicyInputList.1"):
        simulate_principal_policy(alice, policy_source_arn=DAVE, action_names=["iam:GetUser"],
                                  policy_input_list=["{broken"])


def test_simulating_a_group_and_a_role(alice_account, alice):
    group = make_group(alice_account.account, "Readers")
    role = make_role(alice_account.account, "app")
    attach_group_policy(alice, group_name="Readers", policy_arn=IAM_READ_ONLY)
    [for_group] = simulate_principal_policy(alice, policy_source_arn=group.arn,
                                            action_names=["iam:ListRoles"])
    [for_role] = simulate_principal_policy(alice, policy_source_arn=role.arn,
                                           action_names=["iam:ListRoles"])
    assert (for_group.eval_decision, for_role.eval_decision) == ("allowed", "implicitDeny")


def test_policy_variables_resolve_for_the_simulated_user(alice_account, alice):
    make_iam_user(alice_account.account, "dave")
    attach_user_policy(alice, user_name="dave", policy_arn=CHANGE_PASSWORD)
    results = _by_action(simulate_principal_policy(
        alice, policy_source_arn=DAVE, action_names=["iam:ChangePassword"],
        resource_arns=[DAVE, f"{ACCOUNT}:user/erin"]))
    assert results[("iam:ChangePassword", DAVE)].eval_decision == "allowed"
    assert results[("iam:ChangePassword", f"{ACCOUNT}:user/erin")].eval_decision == "implicitDeny"


def test_custom_policy_with_context_entries_and_missing_keys(alice):
    mfa_only = doc(allow("iam:CreateAccessKey",
                         Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}))
    [missing] = simulate_custom_policy(alice, policy_input_list=[mfa_only],
                                       action_names=["iam:CreateAccessKey"])
    assert missing.eval_decision == "implicitDeny"
    assert missing.missing_context_values == ("aws:MultiFactorAuthPresent",)
    [given] = simulate_custom_policy(
        alice, policy_input_list=[mfa_only], action_names=["iam:CreateAccessKey"],
        context_entries=[{"ContextKeyName": "aws:MultiFactorAuthPresent",
                          "ContextKeyValues": ["true"], "ContextKeyType": "boolean"}])
    assert (given.eval_decision, given.missing_context_values) == ("allowed", ())


def test_custom_policy_without_a_caller_has_no_user_name(alice):
    own = doc(allow("iam:ChangePassword", f"{ACCOUNT}:user/${{aws:username}}"))
    [anonymous] = simulate_custom_policy(alice, policy_input_list=[own],
                                         action_names=["iam:ChangePassword"], resource_arns=[DAVE])
    assert anonymous.eval_decision == "implicitDeny"
    assert anonymous.missing_context_values == ("aws:username",)
    [as_dave] = simulate_custom_policy(alice, policy_input_list=[own],
                                       action_names=["iam:ChangePassword"], resource_arns=[DAVE],
                                       caller_arn=DAVE)
    assert as_dave.eval_decision == "allowed"


def test_custom_policy_with_a_resource_policy_needs_a_caller(alice):
    trust = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"' + DAVE
             + '"},"Action":"sts:AssumeRole"}]}')
    with pytest.raises(InvalidInput, match="CallerArn"):
        simulate_custom_policy(alice, policy_input_list=[doc(allow("sts:AssumeRole"))],
                               action_names=["sts:AssumeRole"], resource_policy=trust)
    [result] = simulate_custom_policy(alice, policy_input_list=[doc(allow("sts:AssumeRole"))],
                                      action_names=["sts:AssumeRole"],
                                      resource_arns=[f"{ACCOUNT}:role/app"],
                                      resource_policy=trust, caller_arn=DAVE)
    assert result.eval_decision == "allowed"
    with pytest.raises(InvalidInput, match="must be the ARN of an IAM user"):
        simulate_custom_policy(alice, policy_input_list=[doc(allow())],
                               action_names=["iam:GetUser"], caller_arn=f"{ACCOUNT}:role/app")


def _entry(name: str, values: list[str], kind: str) -> dict:
    return {"ContextKeyName": name, "ContextKeyValues": values, "ContextKeyType": kind}


@pytest.mark.parametrize("entry, message", [
    (_entry("aws:SourceIp", ["1.2.3.4"], "nope"), "type"),
    (_entry("aws:SourceIp", ["1", "2"], "ip"), "one value"),
    (_entry("bad", ["x"], "string"), "not valid"),
])
def test_malformed_context_entries_are_invalid_input(entry, message):
    with pytest.raises(InvalidInput, match=message):
        context_from_entries([entry])


def test_list_context_types_stay_lists():
    assert context_from_entries([
        _entry("aws:TagKeys", ["a", "b"], "stringList"),
        _entry("aws:SourceIp", ["10.0.0.1"], "ip"),
    ]) == {"aws:TagKeys": ["a", "b"], "aws:SourceIp": "10.0.0.1"}


def test_the_core_simulates_every_action_on_every_resource(alice):
    policy = compile_policy(doc(allow("iam:Get*", f"{ACCOUNT}:user/*")), PolicyKind.MANAGED,
                            policy_id="p", name="p")
    principal = Principal(arn=DAVE, account="111122223333", kind="User")
    results = simulate(alice, policy_set=PolicySet(identity=(policy,)), principal=principal,
                       action_names=["iam:GetUser", "iam:GetRole"],
                       resource_arns=[f"{ACCOUNT}:user/a", f"{ACCOUNT}:role/b"],
                       context_entries=None)
    assert [(r.eval_action_name, r.eval_resource_name, r.eval_decision) for r in results] == [
        ("iam:GetUser", f"{ACCOUNT}:user/a", "allowed"),
        ("iam:GetUser", f"{ACCOUNT}:role/b", "implicitDeny"),
        ("iam:GetRole", f"{ACCOUNT}:user/a", "allowed"),
        ("iam:GetRole", f"{ACCOUNT}:role/b", "implicitDeny"),
    ]
    with pytest.raises(InvalidInput, match="ActionNames"):
        simulate(alice, policy_set=PolicySet(), principal=principal, action_names=[],
                 resource_arns=None, context_entries=None)


def test_context_keys_for_principal_and_custom_policies(alice_account, alice):
    make_iam_user(alice_account.account, "dave")
    attach_user_policy(alice, user_name="dave", policy_arn=CHANGE_PASSWORD)
    mine = create_policy(alice, policy_name="Ips", policy_document=doc(
        allow("iam:*", Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})))
    attach_user_policy(alice, user_name="dave", policy_arn=mine.arn)
    assert get_context_keys_for_principal_policy(alice, policy_source_arn=DAVE) == [
        "aws:SourceIp", "aws:username"]
    assert get_context_keys_for_principal_policy(
        alice, policy_source_arn=DAVE,
        policy_input_list=[doc(allow(
            Condition={"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}))],
    ) == ["aws:RequestedRegion", "aws:SourceIp", "aws:username"]
    assert get_context_keys_for_custom_policy(alice, policy_input_list=[doc(
        allow(Condition={"Bool": {"aws:SecureTransport": "true"}}))]) == ["aws:SecureTransport"]
    with pytest.raises(InvalidInput):
        get_context_keys_for_custom_policy(alice, policy_input_list=["{"])


SIMULATION_CALLS = {
    "simulate_principal_policy": lambda c: simulate_principal_policy(
        c, policy_source_arn=f"{ACCOUNT}:user/alice", action_names=["iam:GetUser"]),
    "get_context_keys_for_principal_policy": lambda c: get_context_keys_for_principal_policy(
        c, policy_source_arn=f"{ACCOUNT}:user/alice"),
}


@pytest.mark.parametrize("name", sorted(SIMULATION_CALLS))
def test_simulating_a_principal_denies_bob_and_hides_from_charlie(alice, bob, charlie, name):
    with pytest.raises(AccessDenied, match="iam:"):
        SIMULATION_CALLS[name](bob)
    with pytest.raises(NoSuchEntity, match="The user with name alice cannot be found."):
        SIMULATION_CALLS[name](charlie)


def test_simulating_custom_policies_needs_its_own_permission(bob):
    with pytest.raises(AccessDenied, match="iam:SimulateCustomPolicy"):
        simulate_custom_policy(bob, policy_input_list=[doc(allow())], action_names=["iam:GetUser"])
    with pytest.raises(AccessDenied, match="iam:GetContextKeysForCustomPolicy"):
        get_context_keys_for_custom_policy(bob, policy_input_list=[doc(allow())])
