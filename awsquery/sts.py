"""STS actions: each a route to one operation of ``sts.operations``."""

from __future__ import annotations

from awsquery.registry import route

_OPS = "sts.operations"


def _caller_identity(identity) -> dict:
    return {"UserId": identity.user_id, "Account": identity.account, "Arn": identity.arn}


def _credentials(issued) -> dict:
    """The secret and the token: shown in this response and never again."""
    return {"AccessKeyId": issued.access_key_id, "SecretAccessKey": issued.secret_access_key,
            "SessionToken": issued.session_token, "Expiration": issued.expiration}


def _assumed_role(result) -> dict:
    return {
        "Credentials": _credentials(result.credentials),
        "AssumedRoleUser": {"AssumedRoleId": result.assumed_role_id,
                            "Arn": result.assumed_role_arn},
        "PackedPolicySize": result.packed_policy_size,
        "SourceIdentity": result.source_identity,
    }


def _session_token(issued) -> dict:
    return {"Credentials": _credentials(issued)}


def _access_key_info(account_id: str) -> dict:
    return {"Account": account_id}


ROUTES = [
    route("GetCallerIdentity", f"{_OPS}:get_caller_identity", _caller_identity),
    route("AssumeRole", f"{_OPS}:assume_role", _assumed_role),
    route("GetSessionToken", f"{_OPS}:get_session_token", _session_token),
    route("GetAccessKeyInfo", f"{_OPS}:get_access_key_info", _access_key_info),
    route("DecodeAuthorizationMessage", f"{_OPS}:decode_authorization_message",
          lambda decoded: {"DecodedMessage": decoded}),
]
