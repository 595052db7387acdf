"""Console-wide search: what it finds, for whom, and at what cost."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from audit.models import Event
from core import ids
from identities.models import Group, Role
from identities.operations.credentials import create_access_key
from tests.factories import attach_managed, caller_for, make_iam_user, sign_in_user

pytestmark = pytest.mark.django_db

SUGGEST = "/iam/search/suggest/"
RESULTS = "/iam/search/"
TRUST = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
         '"Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}')


def signed_in(account, name: str) -> Client:
    client = Client()
    sign_in_user(client, account.id, name)
    return client


def make_role(account, name: str) -> Role:
    return Role.objects.create(account=account, name=name, role_id=ids.unique_id("AROA"),
                               trust_policy=TRUST)


def make_group(account, name: str) -> Group:
    return Group.objects.create(account=account, name=name, group_id=ids.unique_id("AGPA"))


@pytest.fixture
def admin(alice_account):
    alice = make_iam_user(alice_account.account, "alice")
    attach_managed(alice, "AdministratorAccess")
    return signed_in(alice_account, "alice")


@pytest.fixture
def dave(alice_account):
    return make_iam_user(alice_account.account, "dave")


def suggest(client, query: str) -> str:
    response = client.get(SUGGEST, {"q": query})
    assert response.status_code == 200
    return response.content.decode()


def test_finds_a_user_by_name_arn_unique_id_and_access_key_id(admin, alice_account, dave):
    key = create_access_key(caller_for(alice_account.root), user_name="dave").key
    for query in ("dav", dave.arn, dave.user_id, dave.user_id[:10], key.access_key_id,
                  key.access_key_id.lower()):
        found = suggest(admin, query)
        assert 'href="/iam/users/dave/"' in found, query
    assert f"Access key {key.access_key_id}" in suggest(admin, key.access_key_id)
    assert f"Unique ID {dave.user_id}" in suggest(admin, dave.user_id)


def test_finds_a_group_a_role_and_a_policy(admin, alice_account):
    group = make_group(alice_account.account, "Deployers")
    role = make_role(alice_account.account, "deploy-role")
    found = suggest(admin, "deploy")
    assert 'href="/iam/groups/Deployers/"' in found and "User group" in found
    assert 'href="/iam/roles/deploy-role/"' in found and role.arn in found
    assert group.arn in suggest(admin, group.group_id)
    assert "deploy-role" in suggest(admin, role.arn)
    policies = suggest(admin, "IAMReadOnly")
    assert 'href="/iam/policies/arn:aws:iam::aws:policy/IAMReadOnlyAccess"' in policies
    assert "AWS managed policy" in policies


def test_finds_console_pages_by_the_words_people_use(admin):
    assert 'href="/iam/account-settings/"' in suggest(admin, "password policy")
    assert 'href="/iam/security-credentials/"' in suggest(admin, "security credentials")
    assert 'href="/iam/users/"' in suggest(admin, "users")
    assert 'href="/iam/switch-role/"' in suggest(admin, "switch role")
    assert 'href="/iam/event-history/"' in suggest(admin, "audit log")
    assert 'href="/iam/policy-simulator/"' in suggest(admin, "why denied")
    assert "No matches" in suggest(admin, "zzzz-nothing")


def test_an_arn_of_another_kind_or_account_finds_nothing_else(admin, alice_account, dave):
    make_group(alice_account.account, "dave")
    found = suggest(admin, dave.arn)
    assert 'href="/iam/users/dave/"' in found and "/iam/groups/dave/" not in found
    assert "/iam/users/dave/" not in suggest(admin, "arn:aws:iam::444455556666:user/dave")


def test_bob_without_list_permissions_sees_pages_but_no_entities(alice_account, dave):
    make_iam_user(alice_account.account, "bob")
    bob = signed_in(alice_account, "bob")
    found = suggest(bob, "d")
    assert "/iam/users/dave/" not in found and 'href="/iam/' in found  # Dashboard, ...
    assert "Not searched, as you may not list them: users, user groups, roles, policies" in found
    assert 'href="/iam/account-settings/"' in suggest(bob, "password policy")
    # The results page says so too, and its refusals are in the event history.
    page = bob.get(RESULTS, {"q": "dave"})
    assert page.status_code == 200 and "/iam/users/dave/" not in page.content.decode()
    assert Event.objects.filter(action="iam:ListUsers", outcome="AccessDenied").exists()


def test_a_user_who_may_list_users_only_finds_users_only(alice_account, dave):
    reader = make_iam_user(alice_account.account, "reader")
    from tests.factories import grant
    grant(reader, '{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
                  '"Action":"iam:ListUsers","Resource":"*"}]}')
    make_group(alice_account.account, "dave-team")
    found = suggest(signed_in(alice_account, "reader"), "dave")
    assert "/iam/users/dave/" in found and "dave-team" not in found


def test_charlies_entities_never_appear(admin, charlie_account):
    charlie = make_iam_user(charlie_account.account, "charlie")
    key = create_access_key(caller_for(charlie_account.root), user_name="charlie").key
    group = make_group(charlie_account.account, "charlie-group")
    role = make_role(charlie_account.account, "charlie-role")
    for query in ("charlie", charlie.arn, charlie.user_id, key.access_key_id, group.group_id,
                  role.role_id, role.arn):
        found = suggest(admin, query)
        assert "No matches" in found and 'role="option" id="search-option-users' not in found


def test_the_results_page_lists_every_kind_with_its_arn(admin, alice_account, dave):
    make_role(alice_account.account, "dave-role")
    page = admin.get(RESULTS, {"q": "dave"}).content.decode()
    assert "Search results for &ldquo;dave&rdquo;" in page
    assert dave.arn in page and "dave-role" in page


def test_search_takes_a_constant_number_of_queries(admin, alice_account):
    def measured() -> int:
        suggest(admin, "a")  # warm the caller's policy set
        with CaptureQueriesContext(connection) as queries:
            suggest(admin, "a")
        return len(queries)

    few = measured()
    root = caller_for(alice_account.root)
    for n in range(12):
        make_iam_user(alice_account.account, f"auser{n}")
        create_access_key(root, user_name=f"auser{n}")
        make_group(alice_account.account, f"agroup{n}")
        make_role(alice_account.account, f"arole{n}")
    assert measured() == few


def test_the_search_box_is_an_aria_combobox(admin):
    page = admin.get("/iam/").content.decode()
    assert 'role="combobox"' in page and 'aria-controls="topbar-search-results"' in page
    assert 'id="topbar-search-results" role="listbox"' in page
    assert "js/search.js" in page
