"""Errors of the wire protocol itself: authentication, request shape, dispatch.

They are IamErrors so that one code path turns every refusal into AWS's XML
error; the operations' own errors (NoSuchEntity, AccessDenied, ...) live in
``core.errors``. Codes, statuses and messages are the ones AWS sends.
"""

from __future__ import annotations

from core.errors import IamError


class _Sender(IamError):
    status = 400
    sender_fault = True


class MissingAuthenticationToken(_Sender):
    code = "MissingAuthenticationToken"
    status = 403

    def __init__(self, message: str = "Request is missing Authentication Token"):
        super().__init__(message)


class IncompleteSignature(_Sender):
    code = "IncompleteSignature"
    status = 403


class SignatureDoesNotMatch(_Sender):
    code = "SignatureDoesNotMatch"
    status = 403

    def __init__(self, message: str = (
            "The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method. "
            "Consult the service documentation for details.")):
        super().__init__(message)


class RequestExpired(_Sender):
    code = "RequestExpired"


class InvalidAction(_Sender):
    code = "InvalidAction"


class MissingAction(_Sender):
    code = "MissingAction"

    def __init__(self, message: str = "Missing Action"):
        super().__init__(message)


class MalformedQueryString(_Sender):
    code = "MalformedQueryString"


class RequestEntityTooLarge(_Sender):
    code = "RequestEntityTooLarge"
    status = 413


class MethodNotAllowed(_Sender):
    code = "MethodNotAllowed"
    status = 405


class NotImplementedAction(IamError):
    """An action the botocore model knows but this server does not serve.

    AWS has no such code; 501 tells SDKs not to retry, and the message names
    the action so that a user knows what is missing rather than what failed.
    """

    code = "NotImplemented"
    status = 501

    def __init__(self, service: str, action: str):
        super().__init__(
            f"The {service.upper()} action {action} is not implemented by this server.")


class UnsupportedParameter(_Sender):
    """A model parameter the operation behind an action does not take.

    Refused rather than dropped, so that a client never believes that a
    setting it sent (tags, a boundary, ...) was applied.
    """

    code = "InvalidInput"

    def __init__(self, action: str, parameter: str):
        super().__init__(f"The parameter {parameter} of {action} is not supported by this server.")


class InternalFailure(IamError):
    code = "InternalFailure"
    status = 500

    def __init__(self, code: str = "InternalFailure",
                 message: str = "The request processing has failed because of an unknown error, "
                                "exception or failure."):
        super().__init__(message)
        self.code = code
