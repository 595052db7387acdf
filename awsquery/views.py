"""The AWS API endpoint at the root path: IAM (2010-05-08) and STS (2011-06-15) Query.

A browser opening ``/`` is sent to the console. Anything else is answered in
AWS's XML, errors included: the signature is checked first (nothing is
revealed to an unsigned request), then the action is found, its parameters
parsed against botocore's model and one operation called. The endpoint never
reads the console session: a signed-in browser gets nothing here without SigV4.
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl

from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from awsquery import credentials, params, registry, shapes, sigv4, xml
from awsquery.wsgi import is_api_request
from awsquery.errors import (
    InternalFailure,
    InvalidAction,
    MalformedQueryString,
    MethodNotAllowed,
    MissingAction,
    RequestEntityTooLarge,
    SignatureDoesNotMatch,
)
from core.caller import Caller
from core.decorators import public
from core.errors import AccessDenied, IamError
from core.ids import request_id as new_request_id

log = logging.getLogger(__name__)

MAX_FIELDS = 1000  # as Django's DATA_UPLOAD_MAX_NUMBER_FIELDS
_PROTOCOL_PARAMETERS = frozenset({"Action", "Version"}) | sigv4.QUERY_AUTH_PARAMETERS


@public
@csrf_exempt
def endpoint(request):
    """POST / and signed GET /?Action=...; a plain browser GET goes to the console."""
    if not is_api_request(request.META):
        return redirect("identities:dashboard")
    exchange = _Exchange()
    try:
        return exchange.answer(request)
    except IamError as error:
        return exchange.error(error)
    except Exception:
        log.exception("%s %s failed (request %s)", exchange.service.name, exchange.action or "-",
                      exchange.request_id)
        code = "ServiceFailure" if exchange.service.name == "iam" else "InternalFailure"
        return exchange.error(InternalFailure(code))


class _Exchange:
    """One request's progress, so that an error names the right service and request id."""

    def __init__(self):
        self.service = shapes.SERVICES["iam"]
        self.action = ""
        self.request_id = new_request_id()

    def answer(self, request) -> HttpResponse:
        if request.method not in ("GET", "POST"):
            raise MethodNotAllowed(f"The HTTP method {request.method} is not allowed.")
        try:
            body = request.body
        except RequestDataTooBig:
            raise RequestEntityTooLarge("The request body is too large.") from None
        query_string = request.META.get("QUERY_STRING", "")
        query = _pairs(query_string)
        fields = dict(query)
        if request.method == "POST" and _is_form(request):
            fields.update(_pairs(_text(body)))
        # Until the signature names its service, errors speak for the one the Version names.
        self.service = shapes.service_for_version(fields.get("Version")) or self.service
        caller = self._authenticate(request, body, query_string, dict(query))
        return self._dispatch(caller, fields)

    def _authenticate(self, request, body: bytes, query_string: str, query: dict) -> Caller:
        """The Caller whose key signed this request; every failure is refused before dispatch."""
        signed = sigv4.read(request.headers, query)
        service = shapes.SERVICES.get(signed.service)
        if service is None:
            raise SignatureDoesNotMatch(
                f"Credential should be scoped to correct service: 'iam' or 'sts', "
                f"not '{signed.service[:32]}'.")
        self.service = service
        sigv4.check_time(signed)
        credential = credentials.resolve(signed)
        canonical = sigv4.canonical_request(method=request.method, path=request.path,
                                            query_string=query_string, headers=request.headers,
                                            body=body, signed=signed)
        sigv4.verify(credential.signing_key(signed), signed, canonical)
        credentials.note_use(credential.access_key, signed, timezone.now())
        return credential.caller(**credentials.context(request, signed),
                                 request_id=self.request_id)

    def _dispatch(self, caller: Caller, fields: dict[str, str]) -> HttpResponse:
        """Find the action, parse its parameters by the model, call its one operation."""
        self.action = fields.get("Action", "")
        if not self.action:
            raise MissingAction()
        version = fields.get("Version")
        if version is not None and version != self.service.version:
            raise InvalidAction(f"Could not find operation {self.action[:128]} for version "
                                f"{version[:32]}")
        handler = registry.handler(self.service.name, self.action)
        operation = shapes.operation_model(self.service.name, self.action)
        arguments = params.parse(operation.input_shape,
                                 [(k, v) for k, v in fields.items()
                                  if k not in _PROTOCOL_PARAMETERS])
        result = handler(caller, arguments)
        content = xml.response(operation, self.service.namespace, result, self.request_id)
        return self._xml(content, 200)

    def error(self, error: IamError) -> HttpResponse:
        message = error.message
        if isinstance(error, AccessDenied) and getattr(error, "context", None) is not None:
            message = f"{message} Encoded authorization failure message: {_encoded(error)}"
        content = xml.error(self.service.namespace, code=error.code, message=message,
                            sender_fault=error.sender_fault, request_id=self.request_id)
        return self._xml(content, error.status)

    def _xml(self, content: bytes, status: int) -> HttpResponse:
        response = HttpResponse(content, status=status, content_type="text/xml")
        response["x-amzn-RequestId"] = self.request_id
        return response


def _is_form(request) -> bool:
    content_type = request.META.get("CONTENT_TYPE", "")
    return not content_type or content_type.startswith("application/x-www-form-urlencoded")


def _text(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedQueryString("The request body is not valid UTF-8.") from None


def _pairs(text: str) -> list[tuple[str, str]]:
    try:
        return parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict",
                         max_num_fields=MAX_FIELDS)
    except ValueError:  # bad percent-encoded UTF-8, or too many fields
        raise MalformedQueryString("The query string or form is malformed.") from None


def _encoded(error: AccessDenied) -> str:
    """The decision behind a refusal, for DecodeAuthorizationMessage (see policies.authz_messages)."""
    from policies import authz_messages

    context = error.context
    return authz_messages.encode(
        error.account_id, principal_arn=error.principal_arn,
        principal_id=str(context.get("aws:userid", "")), action=error.action,
        resource=error.resource, decision=error.decision, context=context)
