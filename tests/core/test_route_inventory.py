"""Every route: only the sign-in pages, the health check and the API are public,
and a principal without a policy changes nothing anywhere, whatever it sends."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.factories import attach_managed, caller_for, make_iam_user, sign_in_user

pytestmark = pytest.mark.django_db

PUBLIC = {"api", "healthz", "identities:signin", "identities:signin-account",
          "identities:signin-mfa", "identities:signup"}


def _routes(resolver=None, prefix="", namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _routes(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", prefix + str(entry.pattern), entry.callback


@pytest.fixture
def world(alice_account):
    """Some of everything for bob to try his luck on."""
    from identities.operations import credentials, groups, users
    from policies import operations as policy_ops

    admin_user = make_iam_user(alice_account.account, "alice")
    attach_managed(admin_user, "AdministratorAccess")
    admin = caller_for(admin_user)
    users.create_user(admin, user_name="target")
    credentials.create_login_profile(admin, user_name="target", password="Tangerine-Oak-Drum-5")
    key = credentials.create_access_key(admin, user_name="target").key
    groups.create_group(admin, group_name="crew")
    groups.add_user_to_group(admin, group_name="crew", user_name="target")
    policy = policy_ops.create_policy(admin, policy_name="Custom", policy_document=(
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:Get*","Resource":"*"}]}'))
    return {"user_name": "target", "group_name": "crew", "policy_arn": policy.arn,
            "access_key_id": key.access_key_id, "account_ref": alice_account.id}


def _url(pattern: str, values: dict) -> str:
    import re

    def fill(match):
        samples = {"int": "1", "uuid": "00000000-0000-4000-8000-000000000000"}
        if match.group(1) in samples:
            return samples[match.group(1)]
        return str(values.get(match.group(2), "x"))

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", fill, pattern)


def _snapshot():
    from identities.models import (
        AccessKey,
        Account,
        Group,
        GroupMembership,
        LoginProfile,
        MFADevice,
        PasswordPolicy,
        User,
    )
    from policies.models import InlinePolicy, ManagedPolicy, PolicyAttachment, PolicyVersion

    models = [Account, User, Group, GroupMembership, LoginProfile, AccessKey, MFADevice,
              PasswordPolicy, ManagedPolicy, PolicyVersion, PolicyAttachment, InlinePolicy]
    state = {m.__name__: sorted(map(str, m.objects.values_list("pk", flat=True))) for m in models}
    state["aliases"] = sorted(str(a) for a in Account.objects.values_list("alias", flat=True))
    state["keys"] = sorted(AccessKey.objects.values_list("access_key_id", "status"))
    state["passwords"] = sorted(User.objects.values_list("name", "password"))
    return state


def test_only_the_known_routes_are_public():
    public = {name for name, _, view in _routes() if getattr(view, "iam_public", False)}
    assert public == PUBLIC


def test_anonymous_visitors_reach_no_console_page(client, world):
    for name, pattern, view in _routes():
        if name in PUBLIC:
            continue
        for method in ("get", "post"):
            response = getattr(client, method)(_url(pattern, world))
            assert response.status_code in (302, 405), (name, method, response.status_code)
            if response.status_code == 302:
                assert response["Location"].startswith("/signin"), name


def test_bob_without_a_policy_changes_nothing_anywhere(client, world, alice_account):
    make_iam_user(alice_account.account, "bob")
    sign_in_user(client, alice_account.id, "bob")
    before = _snapshot()
    payloads = [{}, {"confirm": "target", "do": "delete", "user_name": "x", "group_name": "x",
                     "alias": "bobs", "attach": world["policy_arn"], "add": "crew",
                     "remove": "crew", "detach": world["policy_arn"], "entity": "user:target",
                     "policy_name": "P", "policy_document": "{}", "users": ["target"],
                     "minimum_password_length": "20", "key": "k", "value": "v"}]
    for name, pattern, view in _routes():
        if name in PUBLIC or name == "identities:signout":
            continue
        url = _url(pattern, world)
        for payload in payloads:
            for method in ("get", "post"):
                response = getattr(client, method)(url, payload)
                assert response.status_code < 500, (name, method)
                assert response.status_code in (200, 302, 403, 404, 405), (name, method,
                                                                          response.status_code)
    assert _snapshot() == before
