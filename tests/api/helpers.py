"""Helpers for the API tests: keys, clients, signed raw requests, the CLI's environment."""

from __future__ import annotations

import io
import json
import os
import sys
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from urllib.parse import urlencode

import boto3
import botocore.session
import pytest
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

ADMIN_DOCUMENT = json.dumps({"Version": "2012-10-17",
                             "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
REGION = "us-east-1"
# One botocore session for every client: loading the service models once keeps tests fast.
_BOTOCORE = botocore.session.get_session()
# No retries: a 500 must show up as the failure it is, at once.
_CONFIG = Config(retries={"mode": "standard", "max_attempts": 1})


@dataclass
class KeyHolder:
    user: object
    access_key_id: str
    secret: str

    @property
    def credentials(self) -> Credentials:
        return Credentials(self.access_key_id, self.secret)


def make_key(user, *, status: str = "Active") -> KeyHolder:
    from core import ids
    from identities.models import AccessKey

    key = AccessKey(user=user, access_key_id=ids.access_key_id(), status=status)
    secret = ids.secret_access_key()
    key.set_secret(secret)
    key.save()
    return KeyHolder(user, key.access_key_id, secret)


def grant_admin(user) -> None:
    """AWS's AdministratorAccess when the catalogue has it, else an inline Allow-all."""
    from policies import policyset
    from policies.models import InlinePolicy, ManagedPolicy, PolicyAttachment

    managed = ManagedPolicy.objects.filter(account=None, name="AdministratorAccess").first()
    if managed is not None:
        PolicyAttachment.objects.create(user=user, policy=managed)
    else:
        InlinePolicy.objects.create(user=user, name="admin", document=ADMIN_DOCUMENT)
    policyset.bump(user.account_id)


def client(service: str, url: str, holder: KeyHolder):
    session = boto3.Session(botocore_session=_BOTOCORE)
    return session.client(service, endpoint_url=url, region_name=REGION, config=_CONFIG,
                          aws_access_key_id=holder.access_key_id,
                          aws_secret_access_key=holder.secret)


def signed_request(url: str, credentials: Credentials | None, params: dict, *,
                   service: str = "iam", method: str = "POST") -> AWSRequest:
    """A Query request signed the way botocore signs it (Authorization header)."""
    body = urlencode(params)
    request = AWSRequest(method=method, url=url.rstrip("/") + "/", data=body.encode(),
                         headers={"Content-Type": "application/x-www-form-urlencoded; "
                                                  "charset=utf-8"})
    if credentials is not None:
        SigV4Auth(credentials, service, REGION).add_auth(request)
    return request


def presigned_url(url: str, credentials: Credentials, params: dict, *, expires: int = 60,
                  service: str = "iam") -> str:
    request = AWSRequest(method="GET", url=url.rstrip("/") + "/?" + urlencode(params))
    SigV4QueryAuth(credentials, service, REGION, expires=expires).add_auth(request)
    return request.url


def cli_env(tmp_path, holder: KeyHolder) -> dict:
    empty = tmp_path / "empty"
    empty.write_text("")
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env.update({
        "AWS_ACCESS_KEY_ID": holder.access_key_id,
        "AWS_SECRET_ACCESS_KEY": holder.secret,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_CONFIG_FILE": str(empty),
        "AWS_SHARED_CREDENTIALS_FILE": str(empty),
        "AWS_PAGER": "",
        "AWS_MAX_ATTEMPTS": "1",
    })
    return env


def error_of(call, *args, **kwargs) -> dict:
    """The error response of a boto3 call that must fail."""
    with pytest.raises(ClientError) as caught:
        call(*args, **kwargs)
    return caught.value.response


NS = {"iam": "https://iam.amazonaws.com/doc/2010-05-08/"}


def send(url: str, *, method: str = "GET", headers: dict | None = None,
         body: bytes | None = None) -> tuple[int, dict, bytes]:
    """A raw HTTP request: status, headers and body, error statuses included."""
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def send_signed(prepared_request) -> tuple[int, dict, bytes]:
    """Send a botocore AWSRequest exactly as it was signed (or tampered with)."""
    prepared = prepared_request.prepare()
    return send(prepared.url, method=prepared.method, headers=dict(prepared.headers),
                body=prepared.body)


def error_code(body: bytes) -> str:
    """The Code of an IAM ErrorResponse (which must be one)."""
    root = ET.fromstring(body)
    assert root.tag == "{https://iam.amazonaws.com/doc/2010-05-08/}ErrorResponse"
    return root.find("iam:Error/iam:Code", NS).text


def error_message(body: bytes) -> str:
    return ET.fromstring(body).find("iam:Error/iam:Message", NS).text


HOST = "127.0.0.1"


def wsgi(method: str, path: str, *, query: str = "", headers: dict | None = None,
         body: bytes = b"") -> tuple[int, dict, bytes]:
    """Call ``iamconsole.wsgi.application`` as a WSGI server would."""
    from iamconsole.wsgi import application

    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query,
               "SERVER_NAME": HOST, "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
               "REMOTE_ADDR": "127.0.0.1", "wsgi.url_scheme": "http",
               "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr,
               "CONTENT_LENGTH": str(len(body)), "HTTP_HOST": HOST}
    for name, value in (headers or {}).items():
        if name.lower() == "content-type":
            environ["CONTENT_TYPE"] = value
        else:
            environ["HTTP_" + name.upper().replace("-", "_")] = value
    started: list = []
    response = application(environ, lambda status, headers, exc=None: started.append(
        (status, headers)))
    content = b"".join(response)
    response.close()
    status, response_headers = started[0]
    return int(status.split()[0]), {k.lower(): v for k, v in response_headers}, content


def signed_parts(holder, params: dict, service: str = "iam") -> tuple[dict, bytes]:
    """The headers and body of a signed request, for ``wsgi``."""
    prepared = signed_request(f"http://{HOST}", holder.credentials, params,
                              service=service).prepare()
    return dict(prepared.headers), prepared.body
