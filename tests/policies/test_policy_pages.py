"""The Policies pages: list filters, the JSON editor with findings, versions, delete."""

from __future__ import annotations

import pytest

from policies.models import ManagedPolicy, PolicyAttachment, PolicyVersion
from tests.factories import attach_managed, make_iam_user, sign_in_user

pytestmark = pytest.mark.django_db

DOC = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}]}'


@pytest.fixture
def admin_client(client, alice_account):
    alice = make_iam_user(alice_account.account, "alice")
    attach_managed(alice, "AdministratorAccess")
    sign_in_user(client, alice_account.id, "alice")
    return client


def test_list_filters_by_type_and_use(admin_client):
    html = admin_client.get("/iam/policies/?type=aws").content.decode()
    assert "AdministratorAccess" in html and "Customer managed</td>" not in html
    used = admin_client.get("/iam/policies/?used=permissions").content.decode()
    assert "AdministratorAccess" in used and "IAMReadOnlyAccess" not in used


def test_create_policy_from_the_editor_and_edit_makes_a_new_default_version(admin_client, alice_account):
    response = admin_client.post("/iam/create-policy/", {
        "policy_name": "ListOnly", "policy_document": DOC, "path": "/", "description": "Lists"})
    assert response.status_code == 302
    arn = f"arn:aws:iam::{alice_account.id}:policy/ListOnly"
    assert response["Location"] == f"/iam/policies/{arn}"
    detail = admin_client.get(response["Location"]).content.decode()
    assert "iam:ListUsers" in detail and arn in detail
    edited = DOC.replace("iam:ListUsers", "iam:ListGroups")
    admin_client.post(f"/iam/edit-policy/{arn}", {"policy_document": edited})
    policy = ManagedPolicy.objects.get(name="ListOnly")
    assert policy.default_version_id == "v2"
    assert "iam:ListGroups" in policy.default_document
    assert PolicyVersion.objects.filter(policy=policy).count() == 2


def test_a_malformed_document_is_refused_with_the_engines_sentence(admin_client):
    response = admin_client.post("/iam/create-policy/", {
        "policy_name": "Broken", "path": "/",
        "policy_document": '{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Action":"*","Resource":"*"}]}'})
    assert response.status_code == 200
    html = response.content.decode()
    assert "flash-danger" in html and "Effect" in html
    assert 'data-testid="findings"' in html
    assert not ManagedPolicy.objects.filter(name="Broken").exists()


def test_validate_endpoint_renders_findings_with_positions(admin_client):
    response = admin_client.post("/iam/validate-policy/", {
        "policy_document": '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]}'})
    html = response.content.decode()
    assert "Security warning" in html
    syntax = admin_client.post("/iam/validate-policy/", {"policy_document": '{"Version": '})
    assert "Error" in syntax.content.decode() and "Ln 1" in syntax.content.decode()


def test_delete_detaches_and_removes_versions_first(admin_client, alice_account):
    admin_client.post("/iam/create-policy/", {"policy_name": "Temp", "policy_document": DOC, "path": "/"})
    arn = f"arn:aws:iam::{alice_account.id}:policy/Temp"
    admin_client.post(f"/iam/edit-policy/{arn}", {"policy_document": DOC.replace("List", "Get")})
    admin_client.post(f"/iam/policy-entities/{arn}", {"entity": "user:alice", "do": "attach"})
    assert PolicyAttachment.objects.filter(policy__name="Temp").exists()
    response = admin_client.post(f"/iam/delete-policy/{arn}", {"confirm": "Temp"})
    assert response.status_code == 302
    assert not ManagedPolicy.objects.filter(name="Temp").exists()


def test_create_page_opens_with_the_example_document(admin_client):
    html = admin_client.get("/iam/create-policy/").content.decode()
    assert "Policy editor" in html and "Statement1" in html


def test_bob_cannot_list_or_create_policies(client, alice_account):
    make_iam_user(alice_account.account, "bob")
    sign_in_user(client, alice_account.id, "bob")
    assert client.get("/iam/policies/").status_code == 403
    assert client.get("/iam/create-policy/").status_code == 403
    response = client.post("/iam/create-policy/", {"policy_name": "X", "policy_document": DOC, "path": "/"})
    assert response.status_code == 403
    assert not ManagedPolicy.objects.filter(name="X").exists()


def test_aws_managed_policies_have_no_edit_or_delete(admin_client):
    html = admin_client.get("/iam/policies/arn:aws:iam::aws:policy/AdministratorAccess").content.decode()
    assert "AWS managed" in html and "/iam/edit-policy/" not in html
    response = admin_client.post("/iam/delete-policy/arn:aws:iam::aws:policy/AdministratorAccess",
                                 {"confirm": "AdministratorAccess"})
    assert ManagedPolicy.objects.filter(name="AdministratorAccess", account__isnull=True).exists()
    assert response.status_code in (302, 403)


def test_other_accounts_policies_are_not_found(admin_client, charlie_account):
    from core.caller import Caller
    from policies import operations as ops

    ops.create_policy(Caller.for_user(charlie_account.root), policy_name="Secret", policy_document=DOC)
    response = admin_client.get(f"/iam/policies/arn:aws:iam::{charlie_account.id}:policy/Secret")
    assert response.status_code == 404
