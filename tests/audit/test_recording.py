"""Every operation leaves exactly one event, failures included, and no event holds a secret."""

from __future__ import annotations

import base64
import json
import time

import pytest
from django.forms.models import model_to_dict
from django_otp.oath import TOTP

from audit.models import Event
from audit.operations import events as event_ops
from core.errors import AccessDenied, EntityAlreadyExists, LimitExceeded
from identities.models import AccessKey, User
from identities.operations import account as account_ops
from identities.operations import credentials, mfa, roles, users
from tests.factories import caller_for, sign_in_user

pytestmark = pytest.mark.django_db


def _new_events(since: int) -> list[Event]:
    return list(Event.objects.filter(pk__gt=since).order_by("pk"))


def _last_pk() -> int:
    return Event.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_a_successful_operation_writes_one_event_with_who_what_and_where(admin, alice_account):
    admin.source_ip, admin.user_agent = "203.0.113.9", "pytest-agent/1.0"
    before = _last_pk()
    users.create_user(admin, user_name="dave", path="/ops/", tags=[{"Key": "team", "Value": "a"}])
    [event] = _new_events(before)
    assert event.action == "iam:CreateUser"
    assert event.outcome == "Success" and event.error_message == ""
    assert event.account_id == alice_account.id
    assert event.principal_arn == f"arn:aws:iam::{alice_account.id}:user/alice"
    assert event.principal_type == "IAMUser"
    assert event.resources == [f"arn:aws:iam::{alice_account.id}:user/ops/dave"]
    assert event.parameters["user_name"] == "dave" and event.parameters["path"] == "/ops/"
    assert (event.source_ip, event.user_agent, event.via) == ("203.0.113.9", "pytest-agent/1.0",
                                                              "console")
    assert event.request_id == admin.request_id and event.event_id


def test_operations_in_one_request_each_name_only_their_own_resources(admin, alice_account):
    before = _last_pk()
    users.create_user(admin, user_name="dave")
    users.create_user(admin, user_name="erin")
    with pytest.raises(EntityAlreadyExists):
        users.create_user(admin, user_name="dave")
    acct = alice_account.id
    assert [e.resources for e in _new_events(before)] == [
        [f"arn:aws:iam::{acct}:user/dave"], [f"arn:aws:iam::{acct}:user/erin"],
        [f"arn:aws:iam::{acct}:user/dave"]]


def test_a_failing_operation_leaves_only_its_failure_event_and_no_change(admin):
    users.create_user(admin, user_name="dave")
    before = _last_pk()
    with pytest.raises(EntityAlreadyExists):
        users.create_user(admin, user_name="DAVE")
    [event] = _new_events(before)
    assert event.action == "iam:CreateUser" and event.outcome == "EntityAlreadyExists"
    assert "already exists" in event.error_message
    assert User.objects.filter(name__iexact="dave").count() == 1


def test_a_refused_change_rolls_back_and_records_the_refusal_only(admin):
    users.create_user(admin, user_name="dave")
    credentials.create_access_key(admin, user_name="dave")
    credentials.create_access_key(admin, user_name="dave")
    before = _last_pk()
    with pytest.raises(LimitExceeded):
        credentials.create_access_key(admin, user_name="dave")
    assert [e.outcome for e in _new_events(before)] == ["LimitExceeded"]
    assert AccessKey.objects.filter(user__name="dave").count() == 2


def test_access_denied_is_recorded_with_the_refused_resource(bob, alice_account):
    before = _last_pk()
    with pytest.raises(AccessDenied):
        event_ops.list_events(caller_for(bob))
    [event] = _new_events(before)
    assert event.action == "iam:ListEvents" and event.outcome == "AccessDenied"
    assert event.resources == [f"arn:aws:iam::{alice_account.id}:event/*"]
    assert "iam:ListEvents" in event.error_message


def test_the_event_history_operations_record_one_event_each(admin):
    before = _last_pk()
    page = event_ops.list_events(admin)
    event_ops.get_event(admin, event_id=str(page.events[0].event_id) if page.events
                        else str(Event.objects.first().event_id))
    rows = list(event_ops.export_events(admin, export_format="jsonl"))
    assert rows
    assert [e.action for e in _new_events(before)] == ["iam:ListEvents", "iam:GetEvent",
                                                       "iam:ListEvents"]


def _codes(seed: bytes) -> tuple[str, str]:
    step = int(time.time()) // 30
    out = []
    for t in (step - 1, step):
        totp = TOTP(seed)
        totp.time = t * 30
        out.append(f"{totp.token():06d}")
    return out[0], out[1]


def test_no_event_holds_a_password_secret_key_seed_or_session_token(admin, alice_account,
                                                                     client):
    first_password, second_password = "Amber-Quartz-Falcon-71", "Cobalt-Willow-Ember-38"
    wrong_password = "Not-The-Password-99"
    # An administrator creates a user with a console password and an access key.
    users.create_user(admin, user_name="erin")
    credentials.create_login_profile(admin, user_name="erin", password=first_password)
    key = credentials.create_access_key(admin, user_name="erin")
    erin = caller_for(User.objects.get(name="erin"))
    # erin signs in (once with a wrong password), enables MFA and changes her password.
    sign_in_user(client, alice_account.id, "erin", wrong_password)
    sign_in_user(client, alice_account.id, "erin", first_password)
    created = mfa.create_virtual_mfa_device(admin, virtual_mfa_device_name="erin-phone")
    seed = base64.b32decode(created.base32_seed)
    code1, code2 = _codes(seed)
    mfa.enable_mfa_device(admin, user_name="erin", serial_number=created.device.serial_number,
                          authentication_code1=code1, authentication_code2=code2)
    account_ops.change_password(erin_with_policy(erin), old_password=first_password,
                                new_password=second_password)
    # and assumes a role, which issues a secret and a session token.
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": admin.principal_arn}, "Action": "sts:AssumeRole"}]})
    role = roles.create_role(admin, role_name="deployer", assume_role_policy_document=trust)
    from sts import operations as sts_ops

    assumed = sts_ops.assume_role(admin, role_arn=role.arn, role_session_name="s1")

    secrets = [first_password, second_password, wrong_password, key.secret_access_key,
               created.base32_seed, seed.hex(),
               assumed.credentials.secret_access_key, assumed.credentials.session_token]
    events = list(Event.objects.all())
    actions = {e.action for e in events}
    assert {"iam:CreateLoginProfile", "iam:CreateAccessKey", "iam:EnableMFADevice",
            "iam:ChangePassword", "signin:ConsoleLogin", "sts:AssumeRole"} <= actions
    for event in events:
        text = json.dumps(model_to_dict(event), default=str)
        for secret in secrets:
            assert secret not in text, (event.action, event.parameters)
        # Six-digit codes could match by chance elsewhere: look for them where they were sent.
        sent = json.dumps(event.parameters)
        assert code1 not in sent and code2 not in sent, (event.action, event.parameters)


def erin_with_policy(erin):
    """erin may change her own password: the account policy allows it, as AWS's option does."""
    from identities.models import PasswordPolicy

    PasswordPolicy.objects.update_or_create(account_id=erin.account_id,
                                            defaults={"allow_users_to_change_password": True})
    return erin
