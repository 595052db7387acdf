"""An API AccessDenied carries the decision encoded; DecodeAuthorizationMessage reads it."""

from __future__ import annotations

import json

from tests.api.helpers import client, error_of


def _encoded(message: str) -> str:
    marker = "Encoded authorization failure message: "
    assert marker in message
    return message.split(marker, 1)[1].strip()


def test_an_administrator_decodes_bobs_denial(live_server, alice, bob):
    refused = error_of(client("iam", live_server.url, bob).create_user, UserName="mallory")
    encoded = _encoded(refused["Error"]["Message"])
    decoded = json.loads(client("sts", live_server.url, alice)
                         .decode_authorization_message(EncodedMessage=encoded)["DecodedMessage"])
    assert decoded["allowed"] is False and decoded["explicitDeny"] is False
    assert decoded["context"]["action"] == "iam:CreateUser"
    assert decoded["context"]["resource"] == "arn:aws:iam::111122223333:user/mallory"
    assert decoded["context"]["principal"]["arn"] == "arn:aws:iam::111122223333:user/bob"


def test_bob_may_not_decode_and_other_accounts_cannot(live_server, alice, bob, charlie):
    refused = error_of(client("iam", live_server.url, bob).list_users)
    encoded = _encoded(refused["Error"]["Message"])
    denied = error_of(client("sts", live_server.url, bob).decode_authorization_message,
                      EncodedMessage=encoded)
    assert denied["Error"]["Code"] == "AccessDenied"
    foreign = error_of(client("sts", live_server.url, charlie).decode_authorization_message,
                       EncodedMessage=encoded)
    assert foreign["Error"]["Code"] == "InvalidAuthorizationMessageException"
    garbage = error_of(client("sts", live_server.url, alice).decode_authorization_message,
                       EncodedMessage="not-a-message")
    assert garbage["Error"]["Code"] == "InvalidAuthorizationMessageException"
