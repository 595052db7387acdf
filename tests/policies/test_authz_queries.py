"""authorize(): a constant number of queries, a cached set that is never stale."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.errors import AccessDenied
from identities.models import Group, GroupMembership
from policies import policyset
from policies.authz import authorize
from policies.models import InlinePolicy, ManagedPolicy, PolicyAttachment
from tests.factories import caller_for, make_iam_user

pytestmark = pytest.mark.django_db

ALLOW_LIST = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:List*",'
              '"Resource":"*"}]}')


def _give(user, groups: int, policies_per_group: int) -> None:
    names = ["AdministratorAccess", "IAMReadOnlyAccess", "ReadOnlyAccess", "IAMFullAccess",
             "PowerUserAccess"]
    aws = list(ManagedPolicy.objects.filter(account__isnull=True, name__in=names)
               .order_by("name")[:policies_per_group])
    for index in range(groups):
        group = Group.objects.create(account_id=user.account_id, name=f"g{user.name}{index}",
                                     group_id=f"AGPA{user.name.upper()}{index:03d}")
        GroupMembership.objects.create(group=group, user=user)
        InlinePolicy.objects.create(group=group, name="list", document=ALLOW_LIST)
        for policy in aws:
            PolicyAttachment.objects.create(group=group, policy=policy)
    policyset.bump(user.account_id)


def _queries(caller) -> tuple[int, int]:
    policyset.clear_cache()
    with CaptureQueriesContext(connection) as cold:
        authorize(caller, "iam:ListUsers", "*")
    with CaptureQueriesContext(connection) as warm:
        authorize(caller, "iam:ListUsers", "*")
    return len(cold), len(warm)


def test_queries_do_not_grow_with_groups_and_policies(alice_account):
    small = make_iam_user(alice_account.account, "small")
    large = make_iam_user(alice_account.account, "large")
    _give(small, groups=1, policies_per_group=1)
    _give(large, groups=10, policies_per_group=5)
    assert _queries(caller_for(small)) == _queries(caller_for(large))
    cold, warm = _queries(caller_for(large))
    assert warm == 1  # only the account's policy generation


def test_a_detach_takes_effect_on_the_next_decision(alice_account):
    user = make_iam_user(alice_account.account, "detached")
    _give(user, groups=1, policies_per_group=0)
    caller = caller_for(user)
    authorize(caller, "iam:ListUsers", "*")
    InlinePolicy.objects.filter(group__memberships__user=user).delete()
    policyset.bump(alice_account.id)
    with pytest.raises(AccessDenied):
        authorize(caller_for(user), "iam:ListUsers", "*")


def test_a_generation_read_with_the_credentials_serves_one_decision_only(alice_account):
    from identities.models import Account

    user = make_iam_user(alice_account.account, "gina")
    InlinePolicy.objects.create(user=user, name="list", document=ALLOW_LIST)
    policyset.bump(user.account_id)
    generation = Account.objects.get(pk=user.account_id).policy_generation
    caller = caller_for(user, policy_generation=generation)

    with CaptureQueriesContext(connection) as first:
        authorize(caller, "iam:ListUsers", "*")
    # The operation then takes the permission away (bumping the generation) and
    # decides again: the second decision must not trust the generation read earlier.
    InlinePolicy.objects.filter(user=user).delete()
    policyset.bump(user.account_id)
    with pytest.raises(AccessDenied):
        authorize(caller, "iam:ListUsers", "*")

    assert not any("policy_generation" in q["sql"] and q["sql"].lstrip().startswith("SELECT")
                   for q in first.captured_queries)
    assert caller.policy_generation is None
