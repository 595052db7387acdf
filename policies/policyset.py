"""Assembling a caller's policy set for the engine, in a constant number of queries.

A user's set is their inline and attached policies, their groups' inline and
attached policies, and their permissions boundary. The account root has no
identity policies: the engine's root rule allows it everything in its own
account. Sets are cached per principal and per ``Account.policy_generation``,
which every change to who holds which policy bumps in its own transaction:
one cheap query per decision tells whether the cached set is still current.
"""

from __future__ import annotations


from django.db import connection
from django.db.models import F, Q

from core.caller import Caller
from core.lru import BoundedCache
from identities.models import Account
from policies.engine import PolicyKind, PolicySet, compile_policy
from policies.models import InlinePolicy, PermissionsBoundary, PolicyAttachment

EMPTY = PolicySet()
_cache: BoundedCache[PolicySet] = BoundedCache(4096)


def bump(account_id: str) -> None:
    """Mark every cached policy set of ``account_id`` stale (call inside the change's transaction)."""
    Account.objects.filter(pk=account_id).update(policy_generation=F("policy_generation") + 1)


def for_caller(caller: Caller) -> PolicySet:
    """The identity policies, boundary and session policies that apply to ``caller``."""
    if caller.is_root or caller.user is None:
        return EMPTY if caller.session is None else _for_session(caller)
    if caller.session is not None:
        return _for_session(caller)
    generation = caller.policy_generation
    if generation is None:
        generation = current_generation(caller.account_id)
    else:
        # Read with the credentials, moments ago; a later decision in the same
        # request (after this one's operation may have changed policies) reads it again.
        caller.policy_generation = None
    # The unique id (AIDA...) is never reused, unlike a database key.
    key = ("user", caller.account_id, caller.user.user_id, generation)
    cached = _get(key)
    if cached is not None:
        return cached
    policy_set = load_user_policy_set(caller.user)
    _put(key, policy_set)
    return policy_set


def current_generation(account_id: str) -> int | None:
    """The account's policy generation: the one query a cached decision costs.

    Plain SQL: this runs on every authorization, and the ORM's query building
    costs more than the query itself.
    """
    with connection.cursor() as cursor:
        cursor.execute(_GENERATION_SQL, [account_id])
        row = cursor.fetchone()
    return row[0] if row else None


_GENERATION_SQL = (f"SELECT policy_generation FROM {Account._meta.db_table} "
                   f"WHERE {Account._meta.pk.column} = %s")


def load_user_policy_set(user) -> PolicySet:
    """Read and compile a user's policies: three queries, however many there are."""
    identity = []
    inline_rows = (InlinePolicy.objects
                   .filter(Q(user=user) | Q(group__memberships__user=user))
                   .values_list("user_id", "group__name", "name", "document")
                   .order_by("group_id", "name"))
    for user_id, group_name, name, document in inline_rows:
        kind = PolicyKind.USER_INLINE if user_id else PolicyKind.GROUP_INLINE
        label = name if user_id else f"{group_name}/{name}"
        identity.append(compile_policy(document, kind, policy_id=f"inline:{label}", name=label))
    seen = set()
    attached_rows = (PolicyAttachment.objects
                     .filter(Q(user=user) | Q(group__memberships__user=user))
                     .values_list("policy__policy_id", "policy__name", "policy__account_id",
                                  "policy__path", "policy__default_document")
                     .order_by("policy__name"))
    for policy_id, name, account_id, path, document in attached_rows:
        if policy_id in seen:  # attached to the user and to one of their groups
            continue
        seen.add(policy_id)
        arn = f"arn:aws:iam::{account_id or 'aws'}:policy{path}{name}"
        identity.append(compile_policy(document, PolicyKind.MANAGED, policy_id=arn, name=name))
    boundary_row = (PermissionsBoundary.objects.filter(user=user)
                    .values_list("policy__name", "policy__account_id", "policy__path",
                                 "policy__default_document").first())
    boundary = None
    if boundary_row:
        name, account_id, path, document = boundary_row
        arn = f"arn:aws:iam::{account_id or 'aws'}:policy{path}{name}"
        boundary = compile_policy(document, PolicyKind.BOUNDARY, policy_id=arn, name=name)
    return PolicySet(identity=tuple(identity), boundary=boundary)


def _for_session(caller: Caller) -> PolicySet:
    """A role session's set: the role's policies narrowed by its session policies."""
    return caller.session.policy_set()


def _get(key: tuple) -> PolicySet | None:
    return _cache.get(key)


def _put(key: tuple, value: PolicySet) -> None:
    _cache.put(key, value)


def clear_cache() -> None:
    _cache.clear()
