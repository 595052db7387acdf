"""Privilege escalation through the API: boto3 against a live server.

For every path of escalation_cases.py: one permission short, each call is
AccessDenied with AWS's sentence and nothing in the database changes; with the
permission AWS requires the same calls succeed and mallory has gained what the
path promises. The console half is test_escalation_console.py.
"""

from __future__ import annotations

import re

import pytest

from awsquery import registry, shapes
from tests.security import figures
from tests.security.escalation_cases import CASES
from tests.security.escalation_world import build_world
from tests.security.support import ACCESS_DENIED, changed, client, error_of, snapshot


@pytest.fixture
def world(live_server, alice_account):
    return build_world(alice_account)


@pytest.fixture
def mallory_clients(live_server, world):
    made = {service: client(service, live_server.url, world.key_id, world.secret)
            for service in ("iam", "sts")}
    yield made
    for each in made.values():
        each.close()


def _refused(call) -> dict:
    try:
        call()
    except Exception as exc:  # botocore's ClientError; anything else is reported as is
        response = getattr(exc, "response", None)
        if response is None:
            return {"Code": repr(exc)}
        return {**response["Error"], "Status": response["ResponseMetadata"]["HTTPStatusCode"]}
    return {}


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_one_permission_short_is_refused_and_the_permission_aws_requires_works(
        case, world, mallory_clients):
    iam, sts = mallory_clients["iam"], mallory_clients["sts"]
    case.setup(world)
    for why, prepare in case.shorts:
        prepare(world)
        before = snapshot()
        for call in case.api(world, iam, sts):
            figures.count("escalation_tried")
            error = _refused(call)
            assert error.get("Code") == "AccessDenied", (case.name, why, error)
            assert error["Status"] == 403 and ACCESS_DENIED.match(error["Message"]), error
            figures.count("escalation_refused")
        assert changed(before, snapshot()) == [], (case.name, why)
        assert not case.gained(world), (case.name, why)

    case.enough(world)
    for call in case.api(world, iam, sts):
        call()
    assert case.gained(world), case.name
    figures.count("escalation_controls")


def test_no_implemented_action_consumes_pass_role():
    """iam:PassRole guards handing a role to a service (EC2, Lambda, ...). Nothing here
    launches anything with a role, so the PassRole paths of the catalogues do not
    exist: no implemented action takes a role to pass (AssumeRole assumes one, and
    is guarded by the trust policy and sts:AssumeRole)."""
    passing = [action for service, action, _ in registry.implemented_actions()
               if "RoleArn" in _members(service, action) and action != "AssumeRole"]
    assert passing == []
    authorizing = re.compile(r"authorize\([^)]*PassRole", re.S)
    assert [path.name for path in _operation_files()
            if authorizing.search(path.read_text(encoding="utf-8"))] == []


def _members(service: str, action: str) -> set[str]:
    shape = shapes.operation_model(service, action).input_shape
    return set(shape.members) if shape is not None else set()


def _operation_files():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    for app in ("identities", "policies", "sts", "awsquery"):
        yield from (root / app).rglob("*.py")


def test_refused_calls_are_in_the_event_history_with_their_reason(world, mallory_clients):
    """A refused escalation leaves one event naming the action and AccessDenied, so an
    administrator can see the attempt (AWS: CloudTrail records denied calls)."""
    from audit.models import Event

    world.mallory_policy()
    error = error_of(mallory_clients["iam"].attach_user_policy, UserName="mallory",
                     PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    assert error["Code"] == "AccessDenied"
    event = Event.objects.filter(action="iam:AttachUserPolicy").get()
    assert (event.outcome, event.principal_arn, event.via) == (
        "AccessDenied", world.mallory.arn, "api")
    assert "is not authorized to perform: iam:AttachUserPolicy" in event.error_message
