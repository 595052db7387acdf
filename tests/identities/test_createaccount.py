"""``manage.py createaccount`` for people and scripts."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from identities.models import Account, User

pytestmark = pytest.mark.django_db


def test_json_output_has_everything_a_script_needs(client):
    out = StringIO()
    call_command("createaccount", "--email", "ops@corp.example", "--account-id", "210987654321",
                 "--alias", "corp", "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert result["account_id"] == "210987654321"
    assert result["account_alias"] == "corp"
    assert result["iam_user_sign_in_url"] == "http://127.0.0.1:8000/signin/corp/"
    assert len(result["root_password"]) >= 20
    response = client.post("/signin", {"kind": "root", "email": "ops@corp.example",
                                       "password": result["root_password"]})
    assert response.status_code == 302


def test_human_output_prints_the_sign_in_details():
    out = StringIO()
    call_command("createaccount", "--email", "a@b.example", "--password", "Lighthouse-Ember-42",
                 stdout=out)
    text = out.getvalue()
    assert "Lighthouse-Ember-42" in text
    assert "/signin" in text
    root = User.objects.get(email="a@b.example")
    assert root.check_password("Lighthouse-Ember-42")
    assert root.password.startswith("md5$")  # hashed (fast hasher in tests), never plain


@pytest.mark.parametrize("args, message", [
    (["--account-id", "12345"], "12 digits"),
    (["--alias", "Bad Alias"], "account alias"),
    (["--password", "short"], "at least 8 characters"),
])
def test_bad_options_fail_cleanly_and_create_nothing(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("createaccount", "--email", "x@y.example", *args, stdout=StringIO())
    assert not Account.objects.exists()


def test_random_account_ids_are_twelve_digits():
    out = StringIO()
    call_command("createaccount", "--email", "r@y.example", "--json", stdout=out)
    account_id = json.loads(out.getvalue())["account_id"]
    assert len(account_id) == 12 and account_id.isdigit()


def test_admin_user_and_access_key_for_scripts(client):
    out = StringIO()
    call_command("createaccount", "--email", "boot@corp.example", "--alias", "bootco",
                 "--admin-user", "admin", "--access-key", "--json", stdout=out)
    result = json.loads(out.getvalue())
    admin = result["admin_user"]
    assert admin["user_name"] == "admin"
    assert admin["access_key_id"].startswith("AKIA") and len(admin["secret_access_key"]) == 40
    response = client.post("/signin", {"kind": "iam", "account": "bootco", "user_name": "admin",
                                       "password": admin["password"]})
    assert response.status_code == 302
    # AdministratorAccess: the users list opens.
    assert client.get("/iam/users/").status_code == 200


def test_access_key_without_admin_user_is_refused():
    with pytest.raises(CommandError, match="--access-key needs --admin-user"):
        call_command("createaccount", "--email", "k@corp.example", "--access-key", stdout=StringIO())
