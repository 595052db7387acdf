"""Faults in the middle of an operation leave nothing half-written and one failure event."""

from __future__ import annotations

import pytest

from audit.models import Event
from identities import services
from identities.models import LoginProfile, User
from identities.operations import credentials, users
from tests.factories import caller_for, grant, make_iam_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_fault_after_the_first_write_rolls_everything_back(alice_account, monkeypatch):
    admin = make_iam_user(alice_account.account, "admin")
    grant(admin)
    users.create_user(caller_for(admin), user_name="victim")

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    # set_console_password writes the password hash, then the login profile: break
    # the second write.
    monkeypatch.setattr(LoginProfile.objects, "update_or_create", broken)
    before = Event.objects.count()
    with pytest.raises(RuntimeError):
        credentials.create_login_profile(caller_for(admin), user_name="victim",
                                         password="Maple-Harbor-Quartz-3")
    victim = User.objects.get(name="victim")
    assert not victim.has_usable_password()
    assert not LoginProfile.objects.filter(user=victim).exists()
    events = list(Event.objects.order_by("id")[before:])
    assert [(e.action, e.outcome) for e in events] == [("iam:CreateLoginProfile", "ServiceFailure")]
    assert "disk on fire" not in events[0].error_message
    assert "Maple-Harbor-Quartz-3" not in str(events[0].parameters)
    assert services is not None


def test_a_console_fault_is_a_plain_error_page_not_a_traceback(alice_account, monkeypatch, client):
    from tests.factories import sign_in_user

    admin = make_iam_user(alice_account.account, "admin2")
    grant(admin)
    sign_in_user(client, alice_account.id, "admin2")
    monkeypatch.setattr(User, "set_unusable_password", lambda self: (_ for _ in ()).throw(
        RuntimeError("boom")))
    client.raise_request_exception = False
    response = client.post("/iam/create-user/", {"user_name": "halfway", "password_kind": "auto",
                                                 "permissions_option": "groups"})
    assert response.status_code == 500
    assert b"Traceback" not in response.content and b"boom" not in response.content
    assert not User.objects.filter(name="halfway").exists()
