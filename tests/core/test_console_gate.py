"""Secure by default: sign-in needed, a decision needed, typed errors become pages."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpResponse
from django.test import RequestFactory

from core.decorators import public, signed_in_only
from core.middleware import ConsoleMiddleware
from policies.authz import authorize

pytestmark = pytest.mark.django_db


def _run(view, user):
    request = RequestFactory().get("/iam/somewhere/")
    request.user = user
    request.session = SessionStore()
    middleware = ConsoleMiddleware(lambda req: middleware.process_view(req, view, (), {}) or view(req))
    return middleware(request)


def test_a_view_that_takes_no_decision_is_refused(alice_account):
    def careless_view(request):
        return HttpResponse("secret things")

    response = _run(careless_view, alice_account.root)
    assert response.status_code == 403
    assert b"secret things" not in response.content
    assert b"took no authorization decision" in response.content


def test_a_view_that_authorizes_is_served(alice_account):
    def careful_view(request):
        authorize(request.caller, "iam:ListUsers", "*")
        return HttpResponse("users")

    response = _run(careful_view, alice_account.root)
    assert response.status_code == 200
    assert response.content == b"users"


def test_signed_in_only_views_need_no_decision(alice_account):
    @signed_in_only
    def sign_out_like(request):
        return HttpResponse("bye")

    assert _run(sign_out_like, alice_account.root).status_code == 200


def test_anonymous_visitors_are_sent_to_sign_in(db):
    def view(request):
        return HttpResponse("x")

    response = _run(view, AnonymousUser())
    assert response.status_code == 302
    assert response["Location"].startswith("/signin?next=")


def test_public_views_need_neither(db):
    @public
    def open_view(request):
        return HttpResponse("hello")

    assert _run(open_view, AnonymousUser()).status_code == 200


def test_health_check_is_public(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_browser_at_the_api_root_goes_to_the_console(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/iam/"


def test_unsigned_api_call_gets_an_aws_error_not_a_page(client):
    response = client.post("/", {"Action": "ListUsers", "Version": "2010-05-08"})
    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/xml")
    assert b"<Code>MissingAuthenticationToken</Code>" in response.content


def test_the_api_endpoint_ignores_the_session_cookie(client, alice_account):
    from tests.factories import sign_in_root

    sign_in_root(client, alice_account)
    response = client.post("/", {"Action": "ListUsers", "Version": "2010-05-08"})
    assert b"<Code>MissingAuthenticationToken</Code>" in response.content
