"""Account-level IAM actions through boto3: summary, alias, password policy, ChangePassword."""

from __future__ import annotations

import pytest

from tests.api.helpers import error_of, grant_admin, make_key

pytestmark = pytest.mark.django_db(transaction=True)


def test_account_summary_counts_what_the_account_has(iam):
    iam.create_user(UserName="carol")
    iam.create_group(GroupName="devs")

    summary = iam.get_account_summary()["SummaryMap"]

    assert summary["Users"] == 2
    assert summary["Groups"] == 1
    assert summary["Roles"] == 0
    assert summary["AccountMFAEnabled"] == 0
    assert summary["GroupsPerUserQuota"] == 10
    assert summary["AccessKeysPerUserQuota"] == 2


def test_account_alias_is_replaced_listed_and_deleted(iam, account):
    from identities.models import Account

    assert iam.list_account_aliases()["AccountAliases"] == ["alice-co"]

    iam.create_account_alias(AccountAlias="alice-corp")
    assert iam.list_account_aliases(MaxItems=5)["AccountAliases"] == ["alice-corp"]

    iam.delete_account_alias(AccountAlias="alice-corp")
    assert iam.list_account_aliases()["AccountAliases"] == []
    assert Account.objects.get(pk=account.id).alias is None


def test_alias_taken_by_another_account_already_exists(iam, charlie):
    assert error_of(iam.create_account_alias, AccountAlias="charlie-co")["Error"]["Code"] == \
        "EntityAlreadyExists"


def test_alias_that_breaks_the_pattern_is_a_validation_error(iam):
    response = error_of(iam.create_account_alias, AccountAlias="Bad_Alias")

    assert response["Error"]["Code"] == "ValidationError"
    assert "at 'accountAlias'" in response["Error"]["Message"]


def test_deleting_an_alias_the_account_does_not_have_is_no_such_entity(iam):
    assert error_of(iam.delete_account_alias, AccountAlias="other-co")["Error"]["Code"] == \
        "NoSuchEntity"


def test_password_policy_update_get_and_delete(iam):
    assert error_of(iam.get_account_password_policy)["Error"]["Code"] == "NoSuchEntity"

    iam.update_account_password_policy(MinimumPasswordLength=12, RequireSymbols=True,
                                       MaxPasswordAge=90, PasswordReusePrevention=3)

    policy = iam.get_account_password_policy()["PasswordPolicy"]
    assert policy["MinimumPasswordLength"] == 12
    assert policy["RequireSymbols"] is True
    assert policy["RequireNumbers"] is False
    assert policy["ExpirePasswords"] is True
    assert policy["MaxPasswordAge"] == 90
    assert policy["PasswordReusePrevention"] == 3

    iam.delete_account_password_policy()
    assert error_of(iam.get_account_password_policy)["Error"]["Code"] == "NoSuchEntity"


def test_password_length_out_of_range_is_refused_by_the_model(iam):
    response = error_of(iam.update_account_password_policy, MinimumPasswordLength=200)

    assert response["Error"]["Code"] == "ValidationError"
    assert "Member must have value less than or equal to 128" in response["Error"]["Message"]


def test_change_password_through_the_api(clients, account):
    from identities.models import User
    from tests.factories import USER_PASSWORD, make_iam_user

    dora = make_iam_user(account.account, "dora")
    grant_admin(dora)
    iam = clients("iam", make_key(dora))

    iam.change_password(OldPassword=USER_PASSWORD, NewPassword="Another-Long-Pass-77")

    assert User.objects.get(pk=dora.pk).check_password("Another-Long-Pass-77")
    wrong = error_of(iam.change_password, OldPassword="not-it", NewPassword="Third-Long-Pass-88")
    assert wrong["Error"]["Code"] == "InvalidInput"
