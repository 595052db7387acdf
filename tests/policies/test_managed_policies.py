"""Customer managed policies: create, read, list, delete, tag; who may, and AWS's errors."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import Event
from core.errors import (
    AccessDenied,
    DeleteConflict,
    EntityAlreadyExists,
    InvalidInput,
    LimitExceeded,
    MalformedPolicyDocument,
    NoSuchEntity,
    ValidationError,
)
from policies import services
from policies.engine import PolicyError, PolicyKind, parse_policy
from policies.models import ManagedPolicy, PolicyVersion
from policies.operations import (
    attach_user_policy,
    create_policy,
    create_policy_version,
    delete_policy,
    get_policy,
    list_policies,
    list_policy_tags,
    put_user_permissions_boundary,
    tag_policy,
    untag_policy,
)
from tests.factories import make_iam_user
from tests.policies.helpers import ADMIN, allow, doc, policy_state

pytestmark = pytest.mark.django_db

READ_USERS = doc(allow("iam:ListUsers"))


def test_create_policy_stores_the_text_as_given_and_makes_v1_the_default(alice):
    text = ('{"Version": "2012-10-17",\n "Statement": '
            '[{"Effect": "Allow", "Action": "iam:Get*", "Resource": "*"}]}')
    policy = create_policy(alice, policy_name="ReadStuff", policy_document=text, path="/team/",
                           description="Reads things")
    assert policy.arn == "arn:aws:iam::111122223333:policy/team/ReadStuff"
    assert policy.policy_id.startswith("ANPA") and len(policy.policy_id) == 21
    assert policy.default_version_id == "v1"
    version = PolicyVersion.objects.get(policy=policy)
    assert (version.version_id, version.is_default, version.document) == ("v1", True, text)
    fetched = get_policy(alice, policy_arn=policy.arn)
    assert fetched.default_document == text
    assert (fetched.description, fetched.attachment_count) == ("Reads things", 0)


def test_create_policy_refuses_a_duplicate_name_in_any_case_and_path(alice):
    create_policy(alice, policy_name="Ops", policy_document=READ_USERS)
    with pytest.raises(EntityAlreadyExists, match="A policy called OPS already exists. "
                                                  "Duplicate names are not allowed."):
        create_policy(alice, policy_name="OPS", policy_document=READ_USERS, path="/other/")


def test_a_customer_policy_may_share_a_name_with_an_aws_managed_one(alice):
    policy = create_policy(alice, policy_name="AdministratorAccess", policy_document=READ_USERS)
    assert policy.arn == "arn:aws:iam::111122223333:policy/AdministratorAccess"
    assert get_policy(alice, policy_arn=ADMIN).default_document != READ_USERS


def test_malformed_document_is_refused_with_the_engines_message(alice):
    bad = ('{"Version": "2012-10-17", '
           '"Statement": [{"Effect": "Allowed", "Action": "*", "Resource": "*"}]}')
    with pytest.raises(PolicyError) as engine:
        parse_policy(bad, PolicyKind.MANAGED)
    with pytest.raises(MalformedPolicyDocument) as caught:
        create_policy(alice, policy_name="Bad", policy_document=bad)
    assert caught.value.message == engine.value.message
    assert "Statement[0].Effect" in caught.value.message
    assert not ManagedPolicy.objects.filter(name="Bad").exists()
    event = Event.objects.filter(action="iam:CreatePolicy").latest("pk")
    assert event.outcome == "MalformedPolicyDocument"


def test_a_policy_over_6144_characters_is_limit_exceeded(alice):
    actions = [f"iam:Get{'X' * 40}{n}" for n in range(150)]
    with pytest.raises(LimitExceeded, match="Cannot exceed quota for PolicySize: 6144"):
        create_policy(alice, policy_name="Huge", policy_document=doc(allow(actions)))


@pytest.mark.parametrize("name, error", [
    ("", ValidationError),
    ("has space", ValidationError),
    ("x" * 129, ValidationError),
])
def test_bad_policy_names_are_validation_errors(alice, name, error):
    with pytest.raises(error, match="policyName"):
        create_policy(alice, policy_name=name, policy_document=READ_USERS)


def test_bad_path_and_long_description_are_validation_errors(alice):
    with pytest.raises(ValidationError, match="path"):
        create_policy(alice, policy_name="P", policy_document=READ_USERS, path="no-slashes")
    with pytest.raises(ValidationError, match="description"):
        create_policy(alice, policy_name="P", policy_document=READ_USERS, description="d" * 1001)


def test_create_policy_with_tags_needs_tag_policy_too(alice_account, root):
    tagger = make_iam_user(alice_account.account, "tagger")
    from policies.operations import put_user_policy
    from tests.policies.helpers import caller_for

    put_user_policy(root, user_name="tagger", policy_name="CreateOnly",
                    policy_document=doc(allow("iam:CreatePolicy")))
    caller = caller_for(tagger)
    create_policy(caller, policy_name="Untagged", policy_document=READ_USERS)
    with pytest.raises(AccessDenied, match="iam:TagPolicy"):
        create_policy(caller, policy_name="Tagged", policy_document=READ_USERS,
                      tags=[{"Key": "team", "Value": "ops"}])
    assert not ManagedPolicy.objects.filter(name="Tagged").exists()


def test_tags_are_added_overwritten_listed_and_removed(alice):
    policy = create_policy(alice, policy_name="P", policy_document=READ_USERS,
                           tags=[{"Key": "team", "Value": "ops"}])
    tag_policy(alice, policy_arn=policy.arn, tags=[{"Key": "TEAM", "Value": "sec"},
                                                   {"Key": "env", "Value": "prod"}])
    assert list_policy_tags(alice, policy_arn=policy.arn) == [
        {"Key": "TEAM", "Value": "sec"}, {"Key": "env", "Value": "prod"}]
    untag_policy(alice, policy_arn=policy.arn, tag_keys=["team"])
    assert list_policy_tags(alice, policy_arn=policy.arn) == [{"Key": "env", "Value": "prod"}]


def test_get_policy_of_an_unknown_or_malformed_arn(alice):
    with pytest.raises(NoSuchEntity,
                       match=r"Policy arn:aws:iam::111122223333:policy/Nope was not found\."):
        get_policy(alice, policy_arn="arn:aws:iam::111122223333:policy/Nope")
    with pytest.raises(InvalidInput, match="ARN not-an-arn is not valid."):
        get_policy(alice, policy_arn="not-an-arn")


def test_get_policy_counts_attachments_and_boundaries_in_this_account_only(alice, charlie):
    make_iam_user(alice.user.account, "dave")
    put_user_permissions_boundary(alice, user_name="dave", permissions_boundary=ADMIN)
    mine = get_policy(alice, policy_arn=ADMIN)
    assert (mine.attachment_count, mine.permissions_boundary_usage_count) == (1, 1)
    theirs = get_policy(charlie, policy_arn=ADMIN)
    assert (theirs.attachment_count, theirs.permissions_boundary_usage_count) == (1, 0)


def test_list_policies_scopes_and_filters(alice):
    local = create_policy(alice, policy_name="LocalOne", policy_document=READ_USERS, path="/team/")
    create_policy(alice, policy_name="LocalTwo", policy_document=READ_USERS)

    def names(**kwargs):
        return [p.name for p in list_policies(alice, **kwargs).items]

    assert names(scope="Local") == ["LocalOne", "LocalTwo"]
    assert "AdministratorAccess" in names(scope="AWS") and "LocalOne" not in names(scope="AWS")
    assert {"LocalOne", "IAMUserChangePassword"} <= set(names())
    assert names(scope="Local", path_prefix="/team/") == ["LocalOne"]
    assert names(only_attached=True) == ["AdministratorAccess"]
    assert names(policy_usage_filter="PermissionsPolicy") == ["AdministratorAccess"]
    attach_user_policy(alice, user_name="alice", policy_arn=local.arn)
    assert names(scope="Local", only_attached=True) == ["LocalOne"]
    assert names(policy_usage_filter="PermissionsBoundary") == []
    with pytest.raises(ValidationError, match="scope"):
        list_policies(alice, scope="Mine")


def test_list_policies_pages_with_markers(alice):
    for n in range(5):
        create_policy(alice, policy_name=f"P{n}", policy_document=READ_USERS)
    first = list_policies(alice, scope="Local", max_items=2)
    assert [p.name for p in first.items] == ["P0", "P1"] and first.is_truncated
    second = list_policies(alice, scope="Local", max_items=2, marker=first.marker)
    assert [p.name for p in second.items] == ["P2", "P3"]
    last = list_policies(alice, scope="Local", max_items=2, marker=second.marker)
    assert [p.name for p in last.items] == ["P4"] and not last.is_truncated and last.marker is None


def test_list_policies_costs_the_same_queries_for_10_and_60_policies(alice):
    def create(start, stop):
        for n in range(start, stop):
            policy = services.create_managed_policy(
                account_id=alice.account_id, name=f"Bulk{n:03}", path="/", description="",
                document=READ_USERS, tags=[])
            if n in (0, 3, 6):
                attach_user_policy(alice, user_name="alice", policy_arn=policy.arn)

    def measure():
        list_policies(alice, max_items=1000)  # warm the caller's policy set
        with CaptureQueriesContext(connection) as queries:
            page = list_policies(alice, max_items=1000)
        return len(queries), page

    create(0, 10)
    few, page = measure()
    assert sum(p.attachment_count for p in page.items if p.name.startswith("Bulk")) == 3
    create(10, 60)
    many, page = measure()
    assert len([p for p in page.items if p.name.startswith("Bulk")]) == 60
    assert few == many


def test_delete_policy_removes_it_and_its_only_version(alice):
    policy = create_policy(alice, policy_name="Gone", policy_document=READ_USERS)
    delete_policy(alice, policy_arn=policy.arn)
    assert not ManagedPolicy.objects.filter(pk=policy.pk).exists()
    assert not PolicyVersion.objects.filter(policy_id=policy.pk).exists()


def test_delete_policy_while_attached_or_a_boundary_is_delete_conflict(alice):
    attached = create_policy(alice, policy_name="Attached", policy_document=READ_USERS)
    attach_user_policy(alice, user_name="alice", policy_arn=attached.arn)
    with pytest.raises(DeleteConflict, match="Cannot delete a policy attached to entities."):
        delete_policy(alice, policy_arn=attached.arn)
    bounding = create_policy(alice, policy_name="Bounding", policy_document=doc(allow("*")))
    make_iam_user(alice.user.account, "eve")
    put_user_permissions_boundary(alice, user_name="eve", permissions_boundary=bounding.arn)
    with pytest.raises(DeleteConflict, match="Cannot delete a policy attached to entities."):
        delete_policy(alice, policy_arn=bounding.arn)


def test_delete_policy_with_other_versions_is_delete_conflict(alice):
    policy = create_policy(alice, policy_name="Versioned", policy_document=READ_USERS)
    create_policy_version(alice, policy_arn=policy.arn, policy_document=doc(allow("iam:GetUser")))
    with pytest.raises(DeleteConflict, match=(
            r"This policy has more than one version\. Before you delete a policy, you must delete "
            r"the policy's versions\. The default version is deleted with the policy\.")):
        delete_policy(alice, policy_arn=policy.arn)


@pytest.mark.parametrize("write", [
    lambda c: delete_policy(c, policy_arn=ADMIN),
    lambda c: tag_policy(c, policy_arn=ADMIN, tags=[{"Key": "k", "Value": "v"}]),
    lambda c: untag_policy(c, policy_arn=ADMIN, tag_keys=["k"]),
])
def test_aws_managed_policies_are_read_only_even_for_root(root, write):
    before = policy_state()
    with pytest.raises(AccessDenied,
                       match=r"on resource: policy arn:aws:iam::aws:policy/AdministratorAccess"):
        write(root)
    assert policy_state() == before


# --- personas -------------------------------------------------------------------------


def _alice_policy(alice):
    return create_policy(alice, policy_name="AlicePolicy", policy_document=READ_USERS,
                         tags=[{"Key": "k", "Value": "v"}])


PERSONA_CALLS = {
    "create_policy": lambda c, arn: create_policy(c, policy_name="New", policy_document=READ_USERS),
    "get_policy": lambda c, arn: get_policy(c, policy_arn=arn),
    "list_policies": lambda c, arn: list_policies(c),
    "delete_policy": lambda c, arn: delete_policy(c, policy_arn=arn),
    "tag_policy": lambda c, arn: tag_policy(c, policy_arn=arn, tags=[{"Key": "a", "Value": "b"}]),
    "untag_policy": lambda c, arn: untag_policy(c, policy_arn=arn, tag_keys=["k"]),
    "list_policy_tags": lambda c, arn: list_policy_tags(c, policy_arn=arn),
}


@pytest.mark.parametrize("name", sorted(PERSONA_CALLS))
def test_it_denies_without_policy_and_changes_nothing(alice, bob, name):
    arn = _alice_policy(alice).arn
    before = policy_state()
    with pytest.raises(AccessDenied,
                       match="User: arn:aws:iam::111122223333:user/bob is not authorized"):
        PERSONA_CALLS[name](bob, arn)
    assert policy_state() == before
    last_event = Event.objects.filter(principal_arn=bob.principal_arn).latest("pk")
    assert last_event.outcome == "AccessDenied"


@pytest.mark.parametrize("name", sorted(set(PERSONA_CALLS) - {"create_policy", "list_policies"}))
def test_it_hides_other_accounts(alice, charlie, name):
    arn = _alice_policy(alice).arn
    before = policy_state()
    with pytest.raises(NoSuchEntity, match=f"Policy {arn} was not found."):
        PERSONA_CALLS[name](charlie, arn)
    assert policy_state() == before


def test_other_accounts_policies_are_not_listed(alice, charlie):
    _alice_policy(alice)
    names = [p.name for p in list_policies(charlie).items]
    assert "AlicePolicy" not in names and "AdministratorAccess" in names


def test_bob_gets_access_denied_even_for_a_policy_that_does_not_exist(bob):
    with pytest.raises(AccessDenied):
        get_policy(bob, policy_arn="arn:aws:iam::111122223333:policy/Nope")


def test_policy_names_in_events_and_documents_round_trip(alice):
    text = json.dumps({"Version": "2012-10-17",
                       "Statement": {"Effect": "Allow", "Action": "iam:List*", "Resource": "*"}})
    policy = create_policy(alice, policy_name="Single", policy_document=text)
    event = Event.objects.filter(action="iam:CreatePolicy", outcome="Success").latest("pk")
    assert event.resources == [policy.arn]
    assert get_policy(alice, policy_arn=policy.arn).default_document == text
