"""Errors named after AWS error codes.

The same class means the same thing in the console (a red flash bar with its
message) and in the API (the AWS XML error with its code and HTTP status).
"""

from __future__ import annotations


class IamError(Exception):
    """An error an operation reports to its caller, in AWS's terms."""

    code = "ServiceFailure"
    status = 500
    sender_fault = False

    def __init__(self, message: str = ""):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message or self.code


class _SenderError(IamError):
    status = 400
    sender_fault = True


class InvalidInput(_SenderError):
    code = "InvalidInput"


class ValidationError(_SenderError):
    code = "ValidationError"


class MalformedPolicyDocument(_SenderError):
    code = "MalformedPolicyDocument"


class PasswordPolicyViolation(_SenderError):
    code = "PasswordPolicyViolation"


class NoSuchEntity(_SenderError):
    code = "NoSuchEntity"
    status = 404


class EntityAlreadyExists(_SenderError):
    code = "EntityAlreadyExists"
    status = 409


class LimitExceeded(_SenderError):
    code = "LimitExceeded"
    status = 409


class DeleteConflict(_SenderError):
    code = "DeleteConflict"
    status = 409


class EntityTemporarilyUnmodifiable(_SenderError):
    code = "EntityTemporarilyUnmodifiable"
    status = 409


class InvalidAuthenticationCode(_SenderError):
    code = "InvalidAuthenticationCode"
    status = 403


class AccessDenied(_SenderError):
    """The engine refused; ``decision`` keeps the deciding statements."""

    code = "AccessDenied"
    status = 403

    def __init__(self, message: str = "", *, action: str = "", resource: str = "",
                 principal_arn: str = "", decision=None):
        super().__init__(message)
        self.action = action
        self.resource = resource
        self.principal_arn = principal_arn
        self.decision = decision
