"""Privilege escalation through the console: every page that offers a path's action.

The same cases as test_escalation.py, driven through the console's own forms
as mallory signed in with her password: one permission short, the page answers
"Access denied" (403, AWS's sentence) and nothing changes; with the permission
AWS requires, the same form does what the API call did. PutUserPolicy,
PutGroupPolicy and PutRolePolicy have no console page (the console attaches
managed policies and only deletes inline ones), nor do EnableMFADevice and
ResyncMFADevice for another user (the console assigns and resynchronises the
signed-in user's own device only), so those paths are API-only.
"""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import sign_in_user
from tests.security import figures
from tests.security.escalation_cases import console_cases
from tests.security.escalation_world import ACCOUNT, build_world
from tests.security.support import ACCESS_DENIED, changed, snapshot

pytestmark = pytest.mark.django_db

CASES = console_cases()


@pytest.fixture
def world(alice_account):
    return build_world(alice_account)


@pytest.fixture
def mallory_console(world):
    client = Client()
    response = sign_in_user(client, ACCOUNT, "mallory")
    assert response.status_code == 302 and "/signin" not in response["Location"]
    return client


def _denial(response) -> str:
    """AWS's sentence on the access-denied page."""
    import html
    import re

    found = re.search(r'<p class="mono small mb-2">(.*?)</p>', response.content.decode())
    return html.unescape(found.group(1)) if found else ""


@pytest.mark.parametrize(("case", "variant"), CASES,
                         ids=[f"{case.name}-{index}" for case, index in CASES])
def test_console_one_permission_short_is_refused_and_the_permission_aws_requires_works(
        case, variant, world, mallory_console):
    case.setup(world)
    page = case.console[variant]
    for why, prepare in case.shorts:
        prepare(world)
        url, data = page(world)
        before = snapshot()
        figures.count("escalation_tried")
        response = mallory_console.post(url, data)
        assert response.status_code == 403, (case.name, why, url, response.status_code)
        assert ACCESS_DENIED.match(_denial(response)), _denial(response)
        assert changed(before, snapshot()) == [], (case.name, why)
        assert not case.gained(world), (case.name, why)
        figures.count("escalation_refused")

    case.enough(world)
    url, data = page(world)
    response = mallory_console.post(url, data)
    assert response.status_code == 302, (case.name, url, response.status_code)
    assert case.gained(world), case.name
    figures.count("escalation_controls")


def test_console_refusal_is_a_page_not_a_redirect_to_the_form(world, mallory_console):
    """A refused console action says so on its own page (with the reason and a link
    to the simulator), never a green flash on the form it came from."""
    world.mallory_policy()
    response = mallory_console.post("/iam/users/mallory/policies/",
                                    {"attach": "arn:aws:iam::aws:policy/AdministratorAccess"})
    assert response.status_code == 403
    assert b"Access denied" in response.content and b"Why was I denied?" in response.content
