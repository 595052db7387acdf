"""Deleting a principal and creating another of the same name must not hand the new
one what the old one had.

AWS (IAM User Guide, "Role trust policy" / Principal element): an ARN of a user or
role in a trust policy is transformed into the principal's unique id (AIDA...,
AROA...) when the policy is saved; deleting the principal breaks the
relationship, and a new principal with the same name does not match until the
trust policy is saved again (the console then shows the old unique id instead of
the ARN). Sessions and credentials belong to the unique id too.

What this system does: credentials and sessions die with their principal (keys,
session tokens and console sessions by foreign key, role sessions by the role's
unique id); and, as in AWS, deleting a user or role rewrites every trust policy
that named its ARN to name its unique id, so a re-created principal of the same
name is not trusted.
"""

from __future__ import annotations

import pytest
from django.test import Client

from identities import services
from identities.models import LoginProfile, Role
from identities.operations import roles, users
from sts.operations import assume_role, get_session_token
from tests.factories import USER_PASSWORD, grant, make_iam_user, sign_in_user
from tests.security.escalation_world import ACCOUNT, arn, trust_doc
from tests.security.support import error_of, in_process_client, new_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(alice_account):
    user = make_iam_user(alice_account.account, "admin", password=None)
    grant(user)
    from core.caller import Caller

    return Caller.for_user(user)


def _recreate_user(admin, name: str, *, password: str | None = None):
    from policies.models import InlinePolicy

    InlinePolicy.objects.filter(user__name=name).delete()
    LoginProfile.objects.filter(user__name=name).delete()
    for key in users.User.objects.get(name=name).access_keys.all():
        key.delete()
    users.delete_user(admin, user_name=name)
    user = make_iam_user(admin.user.account, name, password=password)
    assert user.arn == arn("user", name)
    return user


def test_a_recreated_user_is_not_trusted_by_a_role_that_named_the_old_one(admin, alice_account):
    from core.caller import Caller
    from core.errors import AccessDenied

    dev = make_iam_user(alice_account.account, "dev", password=None)
    roles.create_role(admin, role_name="Deploy", assume_role_policy_document=trust_doc(dev.arn))
    assume_role(Caller.for_user(dev), role_arn=arn("role", "Deploy"), role_session_name="old")

    impostor = _recreate_user(admin, "dev")
    with pytest.raises(AccessDenied):
        assume_role(Caller.for_user(impostor), role_arn=arn("role", "Deploy"),
                    role_session_name="new")
    assert dev.user_id in Role.objects.get(name="Deploy").trust_policy


def test_a_recreated_role_is_not_trusted_by_a_role_that_named_the_old_one(admin, alice_account):
    """Role chaining: "Next" trusts role "First" by ARN; a new "First" is not it."""
    from core.caller import Caller
    from core.errors import AccessDenied
    from sts import services as sts_services
    from tests.security.support import allow, doc, set_inline

    dev = make_iam_user(alice_account.account, "dev", password=None)
    set_inline(dev, doc(allow("sts:AssumeRole")))
    first = roles.create_role(admin, role_name="First",
                              assume_role_policy_document=trust_doc(dev.arn))
    set_inline(first, doc(allow("sts:AssumeRole")))
    roles.create_role(admin, role_name="Next", assume_role_policy_document=trust_doc(first.arn))
    from policies.models import InlinePolicy

    InlinePolicy.objects.filter(role=first).delete()
    roles.delete_role(admin, role_name="First")
    impostor = roles.create_role(admin, role_name="First",
                                 assume_role_policy_document=trust_doc(dev.arn))
    set_inline(impostor, doc(allow("sts:AssumeRole")))
    session = assume_role(Caller.for_user(dev), role_arn=arn("role", "First"),
                          role_session_name="hop").session
    with pytest.raises(AccessDenied):
        assume_role(sts_services.caller_for_session(session), role_arn=arn("role", "Next"),
                    role_session_name="next")


def test_a_recreated_user_is_not_trusted_by_another_accounts_role(admin, alice_account,
                                                                  charlie_account):
    from core.caller import Caller
    from core.errors import AccessDenied
    from tests.security.support import allow, doc, set_inline

    dev = make_iam_user(alice_account.account, "dev", password=None)
    set_inline(dev, doc(allow("sts:AssumeRole")))
    roles.create_role(Caller.for_user(charlie_account.root), role_name="Partner",
                      assume_role_policy_document=trust_doc(dev.arn))
    impostor = _recreate_user(admin, "dev")
    set_inline(impostor, doc(allow("sts:AssumeRole")))
    with pytest.raises(AccessDenied):
        assume_role(Caller.for_user(impostor), role_arn="arn:aws:iam::444455556666:role/Partner",
                    role_session_name="new")


def test_an_arn_written_with_json_escapes_is_retired_too(admin, alice_account):
    """JSON lets "/" be written "\\/" (some encoders always do): the same principal."""
    from core.caller import Caller
    from core.errors import AccessDenied

    dev = make_iam_user(alice_account.account, "dev", password=None)
    escaped = trust_doc(dev.arn).replace("/", "\\/")
    assert "\\/" in escaped
    roles.create_role(admin, role_name="Deploy", assume_role_policy_document=escaped)
    assume_role(Caller.for_user(dev), role_arn=arn("role", "Deploy"), role_session_name="old")
    impostor = _recreate_user(admin, "dev")
    with pytest.raises(AccessDenied):
        assume_role(Caller.for_user(impostor), role_arn=arn("role", "Deploy"),
                    role_session_name="new")


def test_a_deny_that_names_an_arn_in_a_condition_keeps_denying_whoever_has_it(
        admin, alice_account):
    """AWS rewrites only the Principal element: ``aws:PrincipalArn`` in a condition
    means whoever has that ARN, so a Deny on it goes on denying a re-created user."""
    from core.caller import Caller
    from core.errors import AccessDenied
    from tests.security.support import allow, doc, set_inline

    intern = make_iam_user(alice_account.account, "intern", password=None)
    trust = doc({"Effect": "Allow", "Action": "sts:AssumeRole",
                 "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}},
                {"Effect": "Deny", "Action": "sts:AssumeRole", "Principal": {"AWS": "*"},
                 "Condition": {"ArnEquals": {"aws:PrincipalArn": intern.arn}}})
    roles.create_role(admin, role_name="Ops", assume_role_policy_document=trust)
    again = _recreate_user(admin, "intern")
    set_inline(again, doc(allow("sts:AssumeRole")))
    with pytest.raises(AccessDenied):
        assume_role(Caller.for_user(again), role_arn=arn("role", "Ops"),
                    role_session_name="new")
    assert intern.arn in Role.objects.get(name="Ops").trust_policy


def test_a_recreated_user_does_not_inherit_the_old_users_session_token(admin, alice_account):
    from core.caller import Caller

    dev = make_iam_user(alice_account.account, "dev", password=None)
    issued = get_session_token(Caller.for_user(dev))
    _recreate_user(admin, "dev")
    sts = in_process_client("sts", issued.access_key_id, issued.secret_access_key,
                            issued.session_token)
    assert error_of(sts.get_caller_identity)["Code"] == "InvalidClientTokenId"


def test_a_recreated_user_does_not_inherit_the_old_users_access_key(admin, alice_account):
    dev = make_iam_user(alice_account.account, "dev", password=None)
    key_id, secret = new_key(dev)
    fresh = _recreate_user(admin, "dev")
    grant(fresh)
    iam = in_process_client("iam", key_id, secret)
    assert error_of(iam.list_users)["Code"] == "InvalidClientTokenId"


def test_a_recreated_user_does_not_inherit_the_old_users_console_session(admin, alice_account):
    make_iam_user(alice_account.account, "dev")
    browser = Client()
    sign_in_user(browser, ACCOUNT, "dev")
    assert browser.get("/iam/security-credentials/").status_code == 200

    fresh = _recreate_user(admin, "dev")
    services.set_console_password(fresh, USER_PASSWORD)  # even the same password
    response = browser.get("/iam/security-credentials/")
    assert response.status_code == 302 and response["Location"].startswith("/signin")


def test_a_recreated_role_does_not_revive_the_old_roles_sessions(admin, alice_account):
    from core.caller import Caller
    from policies.models import InlinePolicy

    dev = make_iam_user(alice_account.account, "dev", password=None)
    roles.create_role(admin, role_name="Deploy", assume_role_policy_document=trust_doc(dev.arn))
    issued = assume_role(Caller.for_user(dev), role_arn=arn("role", "Deploy"),
                         role_session_name="old").credentials
    InlinePolicy.objects.filter(role__name="Deploy").delete()
    roles.delete_role(admin, role_name="Deploy")
    recreated = roles.create_role(admin, role_name="Deploy",
                                  assume_role_policy_document=trust_doc(dev.arn))
    assert Role.objects.get(name="Deploy").role_id == recreated.role_id
    sts = in_process_client("sts", issued.access_key_id, issued.secret_access_key,
                            issued.session_token)
    assert error_of(sts.get_caller_identity)["Code"] == "InvalidClientTokenId"
