"""STS's own error codes, beside the shared ones in ``core.errors``.

The same class means the same thing in the console and in the API: the
``awsquery`` layer renders ``code`` and ``status`` as AWS's XML error.
"""

from __future__ import annotations

from core.errors import IamError


class ExpiredToken(IamError):
    """The temporary credential was valid once and its time is up."""

    code = "ExpiredToken"
    status = 400
    sender_fault = True

    def __init__(self, message: str = "The security token included in the request is expired"):
        super().__init__(message)


class InvalidClientTokenId(IamError):
    """Unknown access key, wrong session token, revoked session or deleted role."""

    code = "InvalidClientTokenId"
    status = 403
    sender_fault = True

    def __init__(self, message: str = "The security token included in the request is invalid."):
        super().__init__(message)


class PackedPolicyTooLarge(IamError):
    """Session policies and tags together exceed the packed size AWS allows."""

    code = "PackedPolicyTooLarge"
    status = 400
    sender_fault = True
