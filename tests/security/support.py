"""What the security tests share: database snapshots, policy documents, AWS's
AccessDenied sentence, and boto3 clients that talk to Django in-process.

The in-process clients are real boto3 clients (botocore serializes, signs with
SigV4 and parses every response) whose HTTP send is replaced by Django's test
client: the whole server path runs - signature check, Query parsing, the
operation, the XML writer - without a live server, so that tests sweeping
every action can run inside a rolled-back transaction.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from typing import Any

import boto3
import botocore.session
from botocore.awsrequest import AWSResponse
from botocore.config import Config

REGION = "us-east-1"
_BOTOCORE = botocore.session.get_session()
# One attempt (botocore's "max_attempts" counts retries, "total_max_attempts" all of them):
# a failure must show up as the failure it is, not be retried away.
_CONFIG = Config(retries={"mode": "standard", "total_max_attempts": 1},
                 parameter_validation=False)  # the server, not botocore, must refuse bad input

# AWS's sentence: "User: <arn> is not authorized to perform: <action> on resource:
# <resource>", then why ("because no identity-based policy allows ..." or "with an
# explicit deny in ..."), and on the API the encoded message sts:DecodeAuthorizationMessage
# reads.
ACCESS_DENIED = re.compile(
    r"^User: arn:aws:(iam|sts)::\d{12}:\S+ is not authorized to perform: (iam|sts):\w+"
    r"( on resource: \S+)?( because no [\w -]+ allows the (iam|sts):\w+ action"
    r"| with an explicit deny in an? [\w -]+)?"
    r"( Encoded authorization failure message: [\w+/=-]+)?$")

# Rows that change on every request whatever it does: the event history (refusals
# are recorded too), sign-in counters, console session bookkeeping and an access
# key's "last used" (the caller's own key, on every signed request).
_SKIPPED_MODELS = {"audit.Event", "identities.SignInThrottle", "identities.ConsoleSession",
                   "sessions.Session", "auth.Permission", "contenttypes.ContentType",
                   "auth.Group"}
_SKIPPED_FIELDS = {"identities.AccessKey": {"last_used_at", "last_used_service",
                                            "last_used_region"},
                   "identities.User": {"last_login"}}


def snapshot() -> dict[str, list]:
    """Every row of every model that holds IAM state, as comparable tuples."""
    from django.apps import apps

    state = {}
    for model in apps.get_models():
        label = model._meta.label
        if label in _SKIPPED_MODELS:
            continue
        skipped = _SKIPPED_FIELDS.get(label, set())
        names = [f.attname for f in model._meta.concrete_fields if f.name not in skipped]
        rows = model.objects.order_by("pk").values_list(*names)
        state[label] = [tuple(map(_comparable, row)) for row in rows]
    return state


def account_snapshot(account_id: str) -> dict[str, list]:
    """``snapshot()`` restricted to the rows that belong to one account: its own, its
    users', groups', roles' and policies' (found through the foreign keys)."""
    from django.apps import apps

    state = {}
    for model in apps.get_models():
        label = model._meta.label
        where = _owned_by(model, account_id)
        if label in _SKIPPED_MODELS or where is None:
            continue
        skipped = _SKIPPED_FIELDS.get(label, set())
        names = [f.attname for f in model._meta.concrete_fields if f.name not in skipped]
        rows = model.objects.filter(where).distinct().order_by("pk").values_list(*names)
        state[label] = [tuple(map(_comparable, row)) for row in rows]
    return state


def _owned_by(model, account_id: str):
    from django.db.models import Q

    if model._meta.label == "identities.Account":
        return Q(pk=account_id)
    owners = {"identities.Account": "", "identities.User": "__account",
              "identities.Group": "__account", "identities.Role": "__account",
              "policies.ManagedPolicy": "__account"}
    where = None
    for field in model._meta.concrete_fields:
        target = field.related_model._meta.label if field.is_relation else None
        if target in owners:
            condition = Q(**{f"{field.name}{owners[target]}": account_id})
            where = condition if where is None else where | condition
    return where


def _comparable(value: Any) -> Any:
    return json.dumps(value, sort_keys=True) if isinstance(value, (dict, list)) else value


def changed(before: dict, after: dict) -> list[str]:
    """The models whose rows differ: empty when nothing changed."""
    return [label for label in before if before[label] != after.get(label)]


def doc(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action, resource="*", condition: dict | None = None, *, not_action=False) -> dict:
    statement = {"Effect": "Allow", ("NotAction" if not_action else "Action"): action,
                 "Resource": resource}
    if condition:
        statement["Condition"] = condition
    return statement


def deny(action, resource="*", condition: dict | None = None) -> dict:
    statement = {"Effect": "Deny", "Action": action, "Resource": resource}
    if condition:
        statement["Condition"] = condition
    return statement


ADMIN = doc(allow("*"))


def set_inline(entity, document: str, name: str = "attempt") -> None:
    """Give a user or role exactly this inline policy (a fixture, written directly)."""
    from identities.models import Role
    from policies import policyset
    from policies.models import InlinePolicy

    field = "role" if isinstance(entity, Role) else "user"
    InlinePolicy.objects.update_or_create(**{field: entity}, name=name,
                                          defaults={"document": document})
    policyset.bump(entity.account_id)


def new_key(user):
    """An active access key for ``user``: (access key id, secret)."""
    from core import ids
    from identities.models import AccessKey

    key = AccessKey(user=user, access_key_id=ids.access_key_id())
    secret = ids.secret_access_key()
    key.set_secret(secret)
    key.save()
    return key.access_key_id, secret


def client(service: str, url: str, key_id: str, secret: str, token: str | None = None):
    """A boto3 client for a live server at ``url``."""
    session = boto3.Session(botocore_session=_BOTOCORE)
    return session.client(service, endpoint_url=url, region_name=REGION, config=_CONFIG,
                          aws_access_key_id=key_id, aws_secret_access_key=secret,
                          aws_session_token=token)


class _Body:
    def __init__(self, content: bytes):
        self._content = content

    def stream(self, **_):
        yield self._content


def in_process_client(service: str, key_id: str, secret: str, token: str | None = None,
                      *, django_client=None, seen: list | None = None):
    """A boto3 client whose requests go to Django's test client instead of a socket.

    ``seen`` collects (status, content type, body) of every response, for tests
    that check the wire format whatever boto3 makes of it.
    """
    from django.test import Client

    django_client = django_client or Client()
    boto = client(service, "http://testserver", key_id, secret, token)

    def send(request, **_):
        plain = {name: value.decode() if isinstance(value, bytes) else value
                 for name, value in request.headers.items()}
        headers = {f"HTTP_{name.upper().replace('-', '_')}": value
                   for name, value in plain.items()
                   if name.lower() not in ("content-type", "content-length")}
        headers.setdefault("HTTP_HOST", "testserver")
        path, _, query = request.url.partition("//")[2].partition("/")[2].partition("?")
        body = request.body or b""
        if hasattr(body, "read"):
            body = body.read()
        response = django_client.generic(
            request.method, "/" + path + ("?" + query if query else ""), data=body,
            content_type=plain.get("Content-Type", ""), **headers)
        if seen is not None:
            seen.append((response.status_code, response.get("Content-Type", ""),
                         response.content))
        return AWSResponse(request.url, response.status_code, dict(response.items()),
                           _Body(response.content))

    boto.meta.events.register("before-send", send)
    return boto


def form_pairs(service: str, action: str, params: dict) -> list[tuple[str, str]]:
    """``params`` flattened into the Query form exactly as botocore would send them."""
    from botocore.serialize import create_serializer

    from awsquery import shapes

    operation = shapes.operation_model(service, action)
    body = create_serializer("query", include_validation=False).serialize_to_request(
        params, operation)["body"]
    return [(str(k), str(v)) for k, v in body.items()]


def signed_post(django_client, key_id: str, secret: str, service: str, body: bytes):
    """POST a raw form body to the API, signed with SigV4 over exactly those bytes."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    request = AWSRequest(method="POST", url="http://testserver/", data=body, headers={
        "Content-Type": "application/x-www-form-urlencoded; charset=utf-8", "Host": "testserver"})
    SigV4Auth(Credentials(key_id, secret), service, REGION).add_auth(request)
    headers = {f"HTTP_{name.upper().replace('-', '_')}": value
               for name, value in request.headers.items()
               if name.lower() not in ("content-type", "content-length")}
    return django_client.generic("POST", "/", data=body, content_type=request.headers[
        "Content-Type"], **headers)


def error_of(call, **params) -> dict:
    """The ``Error`` of a boto3 call that must fail ({} when it succeeded)."""
    from botocore.exceptions import ClientError

    try:
        call(**params)
    except ClientError as error:
        return {**error.response["Error"],
                "Status": error.response["ResponseMetadata"]["HTTPStatusCode"]}
    return {}


def xml_problem(status: int, content_type: str, body: bytes) -> str | None:
    """Why a response is not a well-formed AWS answer (None when it is one)."""
    if status >= 500 and status != 501:
        return f"status {status}"
    if not content_type.startswith("text/xml"):
        return f"content type {content_type!r}"
    try:
        root = ET.fromstring(body)
    except ET.ParseError as error:
        return f"malformed XML: {error}"
    if status >= 400 and not root.tag.endswith("ErrorResponse"):
        return f"error status {status} without an ErrorResponse"
    return None
