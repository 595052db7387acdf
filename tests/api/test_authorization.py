"""Every API call is decided by the engine: bob (no policy) is refused with AWS's sentence and
nothing changes; charlie (another account) does not find alice's account's entities."""

from __future__ import annotations

import pytest

from tests.api.helpers import error_of

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def bob_iam(clients, bob):
    return clients("iam", bob)


def test_it_denies_list_users_without_a_policy_in_aws_words(bob_iam):
    response = error_of(bob_iam.list_users)

    assert response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert response["Error"]["Code"] == "AccessDenied"
    assert response["Error"]["Message"].startswith(
        "User: arn:aws:iam::111122223333:user/bob is not authorized to perform: iam:ListUsers "
        "on resource: arn:aws:iam::111122223333:user/")


def test_it_denies_create_user_and_nothing_changes(bob_iam, account):
    from audit.models import Event
    from identities.models import User

    response = error_of(bob_iam.create_user, UserName="mallory")

    assert response["Error"]["Code"] == "AccessDenied"
    assert not User.objects.filter(name="mallory").exists()
    event = Event.objects.get(action="iam:CreateUser")
    assert event.outcome == "AccessDenied"
    assert event.principal_arn == "arn:aws:iam::111122223333:user/bob"
    assert event.request_id == response["ResponseMetadata"]["RequestId"]


def test_it_denies_before_revealing_whether_the_user_exists(bob_iam):
    assert error_of(bob_iam.get_user, UserName="nobody")["Error"]["Code"] == "AccessDenied"
    assert error_of(bob_iam.get_user, UserName="alice")["Error"]["Code"] == "AccessDenied"


def test_it_hides_other_accounts(clients, charlie, alice):
    charlie_iam = clients("iam", charlie)

    assert error_of(charlie_iam.get_user, UserName="alice")["Error"]["Code"] == "NoSuchEntity"
    assert [u["UserName"] for u in charlie_iam.list_users()["Users"]] == ["charlie"]


def test_a_policy_granted_later_applies_to_the_next_request(bob_iam, bob):
    from tests.api.helpers import grant_admin

    assert error_of(bob_iam.list_users)["Error"]["Code"] == "AccessDenied"

    grant_admin(bob.user)

    assert {u["UserName"] for u in bob_iam.list_users()["Users"]} == {"bob"}
