"""The policy simulator page: what it offers, what it answers and why, and who may use it."""

from __future__ import annotations

import html
import json
import re

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit.models import Event
from identities.models import Role
from policies import policyset
from policies.engine import PolicyKind, PolicySet, Principal, Request, compile_policy, evaluate
from policies.models import InlinePolicy
from tests.factories import attach_managed, make_iam_user, sign_in_user
from tests.policies.helpers import allow, deny, doc, make_role

pytestmark = pytest.mark.django_db

URL = "/iam/policy-simulator/"
ACCOUNT = "111122223333"
OTHER = "444455556666"
DAVE = f"arn:aws:iam::{ACCOUNT}:user/dave"
ERIN = f"arn:aws:iam::{ACCOUNT}:user/erin"
DEPLOY = f"arn:aws:iam::{ACCOUNT}:role/deploy"
_ROW = re.compile(r'data-action="([^"]*)" data-resource="([^"]*)" data-decision="([^"]*)" '
                  r'data-deciding="([^"]*)"')


def results(response) -> dict[tuple[str, str], tuple[str, set[str]]]:
    """(action, resource) -> (decision, {"policy#index", ...}) as the page shows them."""
    page = response.content.decode()
    return {(html.unescape(a), html.unescape(r)): (d, set(html.unescape(refs).split()))
            for a, r, d, refs in _ROW.findall(page)}


def signed_in(account, name: str) -> Client:
    client = Client()
    sign_in_user(client, account.id, name)
    return client


@pytest.fixture
def admin(alice_account):
    user = make_iam_user(alice_account.account, "alice")
    attach_managed(user, "AdministratorAccess")
    return signed_in(alice_account, "alice")


@pytest.fixture
def dave(alice_account):
    return make_iam_user(alice_account.account, "dave")


def put_inline(user, document: str, name: str = "Rules") -> None:
    InlinePolicy.objects.filter(user=user).delete()
    InlinePolicy.objects.create(user=user, name=name, document=document)
    policyset.bump(user.account_id)


def run(client, **data):
    data.setdefault("mode", "principal")
    data.setdefault("do", "run")
    return client.post(URL, data)


def test_the_page_offers_principals_and_the_catalogue_by_access_level(admin, dave, alice_account):
    make_role(alice_account.account, "deploy")
    page = admin.get(URL).content.decode()
    assert f'value="{DAVE}"' in page and f'value="{DEPLOY}"' in page
    for level in ("List", "Read", "Write", "Permissions management", "Tagging"):
        assert f"<summary>{level} <span" in page
    assert 'value="iam:CreateAccessKey"' in page and 'value="sts:AssumeRole"' in page
    assert 'aria-current="page">Policy simulator</a>' in page


def test_a_users_decisions_come_with_the_deciding_statement_highlighted(admin, dave):
    put_inline(dave, doc({"Sid": "ReadUsers", **allow("iam:ListUsers")},
                         {"Sid": "NoDeletes", **deny("iam:DeleteUser")}))
    response = run(admin, principal=DAVE, actions=["iam:ListUsers", "iam:DeleteUser",
                                                  "iam:CreateUser"])
    assert results(response) == {
        ("iam:ListUsers", "*"): ("allowed", {"inline:Rules#0"}),
        ("iam:DeleteUser", "*"): ("explicitDeny", {"inline:Rules#1"}),
        ("iam:CreateUser", "*"): ("implicitDeny", set()),
    }
    page = response.content.decode()
    assert 'data-sid="ReadUsers" data-state="deciding"' in page
    assert "Allowed by <strong>ReadUsers</strong> in Rules" in page
    assert "Denied explicitly by <strong>NoDeletes</strong>" in page


def test_an_implicit_deny_shows_the_statement_that_would_have_applied(admin, alice_account):
    carol = make_iam_user(alice_account.account, "carol")
    attach_managed(carol, "IAMManageOwnCredentialsWithMFA")
    response = run(admin, principal=carol.arn, actions=["iam:CreateAccessKey"],
                   resources=f"{DAVE}\n{carol.arn}", ctx_name="aws:MultiFactorAuthPresent",
                   ctx_type="boolean", ctx_value="true")
    policy = "arn:aws:iam::aws:policy/IAMManageOwnCredentialsWithMFA"
    assert results(response) == {
        ("iam:CreateAccessKey", DAVE): ("implicitDeny", set()),
        ("iam:CreateAccessKey", carol.arn): ("allowed", {f"{policy}#2"}),
    }
    page = response.content.decode()
    assert 'data-sid="AllowManageOwnAccessKeys" data-state="near"' in page
    assert ("<strong>AllowManageOwnAccessKeys</strong> in IAMManageOwnCredentialsWithMFA "
            "allows it on") in page


def test_missing_context_keys_are_pointed_out_with_typed_inputs(admin, alice_account):
    carol = make_iam_user(alice_account.account, "carol")
    attach_managed(carol, "IAMManageOwnCredentialsWithMFA")
    response = run(admin, principal=carol.arn, actions=["iam:CreateAccessKey"], resources=DAVE)
    assert results(response)[("iam:CreateAccessKey", DAVE)][0] == "explicitDeny"
    page = response.content.decode()
    warning = page[page.index('data-testid="missing-context"'):]
    assert "aws:MultiFactorAuthPresent" in warning[:400]
    row = page[page.index('data-context-key="aws:MultiFactorAuthPresent"'):]
    assert 'class="badge-missing"' in row[:400]
    assert '<option value="boolean" selected>' in row[:2000]


def test_a_context_value_that_does_not_fit_its_type_is_refused_in_place(admin, dave):
    response = run(admin, principal=DAVE, actions=["iam:GetUser"],
                   ctx_name="aws:MultiFactorAuthAge", ctx_type="numeric", ctx_value="soon")
    page = response.content.decode()
    assert "soon is not a number." in page
    assert results(response) == {}


def test_get_context_keys_lists_the_keys_without_running(admin, dave):
    put_inline(dave, doc(allow("iam:GetUser",
                               Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})))
    response = admin.post(URL, {"mode": "principal", "principal": DAVE, "do": "keys"})
    page = response.content.decode()
    assert results(response) == {}
    row = page[page.index('data-context-key="aws:SourceIp"'):]
    assert '<option value="ip" selected>' in row[:2000]
    assert Event.objects.filter(action="iam:GetContextKeysForPrincipalPolicy",
                                outcome="Success").exists()


def test_a_roles_trust_policy_simulates_assume_role_by_the_principal(admin, dave, alice_account):
    make_iam_user(alice_account.account, "erin")
    Role.objects.filter(pk=make_role(alice_account.account, "deploy").pk).update(
        trust_policy=doc({"Sid": "Dave", "Effect": "Allow", "Principal": {"AWS": DAVE},
                          "Action": "sts:AssumeRole"}))
    allowed = run(admin, principal=DAVE, actions=["sts:AssumeRole"], trust_role="deploy")
    assert results(allowed) == {("sts:AssumeRole", DEPLOY): ("allowed", {"ResourcePolicy.1#0"})}
    assert "Trust policy of role deploy" in allowed.content.decode()
    refused = run(admin, principal=ERIN, actions=["sts:AssumeRole"], trust_role="deploy")
    assert results(refused) == {("sts:AssumeRole", DEPLOY): ("implicitDeny", set())}
    assert Event.objects.filter(action="iam:GetRole", outcome="Success").count() == 2


def test_custom_policies_are_narrowed_by_a_boundary_and_a_session_policy(admin):
    response = run(admin, mode="custom", policy_1=doc(allow("iam:*")),
                   boundary=doc(allow("iam:Get*")), session_policy=doc(allow("iam:GetUser")),
                   actions=["iam:GetUser", "iam:GetRole", "iam:CreateUser"])
    assert results(response) == {
        ("iam:GetUser", "*"): ("allowed", {"PolicyInputList.1#0"}),
        ("iam:GetRole", "*"): ("implicitDeny", set()),
        ("iam:CreateUser", "*"): ("implicitDeny", set()),
    }
    assert Event.objects.filter(action="iam:SimulateCustomPolicy", outcome="Success").exists()


def test_a_malformed_policy_is_reported_above_the_form(admin):
    response = run(admin, mode="custom", policy_1='{"Version": "2012-10-17"',
                   actions=["iam:GetUser"])
    page = response.content.decode()
    assert 'data-testid="simulator-error"' in page and "PolicyInputList.1" in page
    assert results(response) == {}


def test_a_principal_without_simulate_permission_is_refused_and_it_is_recorded(alice_account):
    bob = make_iam_user(alice_account.account, "bob")
    response = run(signed_in(alice_account, "bob"), principal=bob.arn, actions=["iam:GetUser"])
    assert response.status_code == 403
    assert "not authorized to perform: iam:SimulatePrincipalPolicy" in response.content.decode()
    event = Event.objects.get(action="iam:SimulatePrincipalPolicy", principal_arn=bob.arn)
    assert event.outcome == "AccessDenied" and bob.arn in event.resources


def test_bob_opens_the_page_and_sees_which_lists_are_refused(alice_account):
    make_iam_user(alice_account.account, "bob")
    response = signed_in(alice_account, "bob").get(URL)
    assert response.status_code == 200
    assert "not authorized to perform: iam:ListUsers" in response.content.decode()


def test_another_accounts_principal_is_not_found(charlie_account, dave):
    charlie = make_iam_user(charlie_account.account, "charlie")
    attach_managed(charlie, "AdministratorAccess")
    response = run(signed_in(charlie_account, "charlie"), principal_arn=DAVE,
                   actions=["iam:GetUser"])
    assert "The user with name dave cannot be found." in response.content.decode()
    assert results(response) == {}


def test_the_access_denied_page_asks_the_simulator_why(admin, alice_account):
    bob = make_iam_user(alice_account.account, "bob")
    refused = signed_in(alice_account, "bob").get("/iam/users/")
    assert refused.status_code == 403
    link = re.search(r'href="([^"]*)" data-testid="why-denied"', refused.content.decode())[1]
    link = html.unescape(link)
    assert link.startswith(URL + "?principal=arn%3Aaws%3Aiam%3A%3A111122223333%3Auser/bob")
    assert "action=iam%3AListUsers" in link
    # An administrator following it sees the answer straight away.
    answered = admin.get(link)
    assert results(answered) == {
        ("iam:ListUsers", f"arn:aws:iam::{ACCOUNT}:user/"): ("implicitDeny", set())}
    assert f'value="{bob.arn}" checked' in answered.content.decode()


# --- The page answers what the engine answers --------------------------------------------

ACTIONS = ["iam:GetUser", "iam:CreateAccessKey", "iam:ListUsers", "sts:AssumeRole"]
ACTION_PATTERNS = ACTIONS + ["iam:*", "*", "iam:Get*", "sts:*", "iam:*AccessKey"]
RESOURCES = ["*", DAVE, ERIN, DEPLOY, f"arn:aws:iam::{OTHER}:role/x"]
RESOURCE_PATTERNS = ["*", DAVE, f"arn:aws:iam::{ACCOUNT}:user/*",
                     "arn:aws:iam::*:user/${aws:username}",
                     DEPLOY, f"arn:aws:iam::{ACCOUNT}:role/*"]
CONDITIONS = [{"Bool": {"aws:MultiFactorAuthPresent": "true"}},
              {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
              {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}},
              {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}]
CONTEXT = {"aws:MultiFactorAuthPresent": ("boolean", ["true", "false"]),
           "aws:MultiFactorAuthAge": ("numeric", ["100", "7200"]),
           "aws:SourceIp": ("ip", ["10.1.2.3", "192.0.2.1"])}


def _with_condition(draw, statement: dict) -> dict:
    if draw(st.booleans()):
        statement["Condition"] = draw(st.sampled_from(CONDITIONS))
    return statement


@st.composite
def statements(draw) -> dict:
    verb = draw(st.sampled_from(["Action", "Action", "NotAction"]))
    return _with_condition(draw, {
        "Effect": draw(st.sampled_from(["Allow", "Allow", "Deny"])),
        verb: draw(st.lists(st.sampled_from(ACTION_PATTERNS), min_size=1, max_size=3, unique=True)),
        "Resource": draw(st.lists(st.sampled_from(RESOURCE_PATTERNS), min_size=1, max_size=2,
                                  unique=True))})


@st.composite
def trust_statements(draw) -> dict:
    return _with_condition(draw, {
        "Effect": draw(st.sampled_from(["Allow", "Allow", "Deny"])),
        "Principal": {"AWS": draw(st.sampled_from([DAVE, f"arn:aws:iam::{ACCOUNT}:root", "*",
                                                   ERIN, f"arn:aws:iam::{OTHER}:root"]))},
        "Action": "sts:AssumeRole"})


def policies(items=statements) -> st.SearchStrategy[str]:
    return st.lists(items(), min_size=1, max_size=3).map(lambda s: doc(*s))


@st.composite
def simulations(draw) -> dict:
    return {
        "identity": draw(st.lists(policies(), min_size=1, max_size=2)),
        "boundary": draw(st.none() | policies()),
        "trust": draw(st.none() | policies(trust_statements)),
        "session": draw(st.none() | policies()),
        "actions": draw(st.lists(st.sampled_from(ACTIONS), min_size=1, max_size=3, unique=True)),
        "resources": draw(st.lists(st.sampled_from(RESOURCES), min_size=1, max_size=2,
                                   unique=True)),
        "context": {key: draw(st.none() | st.sampled_from(values))
                    for key, (_type, values) in CONTEXT.items()},
    }


def _context_fields(context: dict) -> dict:
    given = [(k, v) for k, v in context.items() if v is not None]
    return {"ctx_name": [k for k, _ in given], "ctx_type": [CONTEXT[k][0] for k, _ in given],
            "ctx_value": [v for _, v in given]}


def _expected(sim: dict, principal: Principal, identity: tuple) -> dict:
    def compiled(text, kind, label):
        return compile_policy(text, kind, policy_id=label, name=label)

    policy_set = PolicySet(
        identity=identity,
        resource=(compiled(sim["trust"], PolicyKind.RESOURCE, "ResourcePolicy.1"),)
        if sim["trust"] else (),
        boundary=compiled(sim["boundary"], PolicyKind.BOUNDARY,
                          "PermissionsBoundaryPolicyInputList.1") if sim["boundary"] else None,
        session=(compiled(sim["session"], PolicyKind.SESSION, "SessionPolicy.1"),)
        if sim["session"] else ())
    context = {k: v for k, v in sim["context"].items() if v is not None}
    expected = {}
    for action in sim["actions"]:
        for resource in sim["resources"]:
            decision = evaluate(Request(action, resource, principal, context), policy_set)
            expected[(action, resource)] = (decision.effect.name, {
                f"{ref.policy_id}#{ref.index}" for ref in decision.deciding})
    return expected


_NAMES = {"allowed": "ALLOW", "explicitDeny": "EXPLICIT_DENY", "implicitDeny": "IMPLICIT_DENY"}
_PROPERTY = settings(max_examples=50, deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture,
                                            HealthCheck.too_slow])


def _shown(response) -> dict:
    assert response.status_code == 200
    return {key: (_NAMES[decision], refs) for key, (decision, refs) in results(response).items()}


@_PROPERTY
@given(sim=simulations())
def test_custom_simulations_match_the_engine(admin, sim):
    response = run(admin, mode="custom", caller_arn=DAVE, actions=sim["actions"],
                   resources="\n".join(sim["resources"]), boundary=sim["boundary"] or "",
                   resource_policy=sim["trust"] or "", session_policy=sim["session"] or "",
                   **{f"policy_{n}": text for n, text in enumerate(sim["identity"], start=1)},
                   **_context_fields(sim["context"]))
    identity = tuple(compile_policy(text, PolicyKind.MANAGED, policy_id=f"PolicyInputList.{n}",
                                    name=f"PolicyInputList.{n}")
                     for n, text in enumerate(sim["identity"], start=1))
    assert _shown(response) == _expected(sim, Principal.from_arn(DAVE), identity)


@_PROPERTY
@given(sim=simulations())
def test_principal_simulations_match_the_engine(admin, dave, sim):
    put_inline(dave, sim["identity"][0])
    response = run(admin, principal=DAVE, actions=sim["actions"],
                   resources="\n".join(sim["resources"]), boundary=sim["boundary"] or "",
                   resource_policy=sim["trust"] or "", session_policy=sim["session"] or "",
                   **_context_fields(sim["context"]))
    principal = Principal(arn=DAVE, account=ACCOUNT, kind="User", user_id=dave.user_id)
    identity = (compile_policy(sim["identity"][0], PolicyKind.USER_INLINE,
                               policy_id="inline:Rules", name="Rules"),)
    assert _shown(response) == _expected(sim, principal, identity)


def test_the_property_inputs_are_valid_policies():
    # The generated documents must be ones the engine accepts, or the property
    # tests would only compare two refusals.
    text = doc({"Effect": "Allow", "Principal": {"AWS": DAVE}, "Action": "sts:AssumeRole",
                "Condition": CONDITIONS[0]})
    assert compile_policy(text, PolicyKind.RESOURCE).document.statements[0].principal
    assert json.loads(doc(allow("iam:*AccessKey", RESOURCE_PATTERNS[3])))


def test_a_group_and_a_role_are_simulated_with_their_own_policies(admin, alice_account):
    from policies.models import ManagedPolicy, PolicyAttachment
    from tests.policies.helpers import make_group

    group = make_group(alice_account.account, "Readers")
    PolicyAttachment.objects.create(group=group, policy=ManagedPolicy.objects.get(
        account__isnull=True, name="IAMReadOnlyAccess"))
    role = make_role(alice_account.account, "deploy")
    InlinePolicy.objects.create(role=role, name="Deploy", document=doc(
        {"Sid": "PassIt", **allow("iam:PassRole")}))
    policyset.bump(alice_account.id)
    readers = run(admin, principal=group.arn, actions=["iam:GetUser", "iam:CreateUser"])
    assert results(readers) == {
        ("iam:GetUser", "*"): ("allowed", {"arn:aws:iam::aws:policy/IAMReadOnlyAccess#0"}),
        ("iam:CreateUser", "*"): ("implicitDeny", set())}
    deploy = run(admin, principal=role.arn, actions=["iam:PassRole"])
    assert results(deploy) == {("iam:PassRole", "*"): ("allowed", {"inline:Deploy#0"})}
    assert 'data-sid="PassIt" data-state="deciding"' in deploy.content.decode()


def test_a_role_sessions_arn_in_a_link_simulates_its_role(admin, alice_account):
    role = make_role(alice_account.account, "deploy", path="/ops/")
    session = f"arn:aws:sts::{ACCOUNT}:assumed-role/deploy/alice"
    response = admin.get(URL, {"principal": session, "action": "iam:GetUser"})
    assert results(response) == {("iam:GetUser", "*"): ("implicitDeny", set())}
    assert f'value="{role.arn}" checked' in response.content.decode()


def test_a_simulator_who_may_not_read_a_policy_sees_the_decision_but_not_the_text(
        alice_account, dave):
    from tests.factories import grant

    put_inline(dave, doc({"Sid": "SecretSauce", **allow("iam:ListUsers")}))
    tester = make_iam_user(alice_account.account, "tester")
    grant(tester, doc(allow(["iam:SimulatePrincipalPolicy", "iam:ListUsers"])))
    response = run(signed_in(alice_account, "tester"), principal=DAVE, actions=["iam:ListUsers"])
    assert results(response) == {("iam:ListUsers", "*"): ("allowed", {"inline:Rules#0"})}
    page = response.content.decode()
    assert 'data-testid="policy-withheld"' in page
    assert "not authorized to perform: iam:GetUserPolicy" in page
    assert "&quot;iam:ListUsers&quot;" not in page and "SecretSauce" in page  # the Sid only
    assert Event.objects.filter(action="iam:GetUserPolicy", outcome="AccessDenied").exists()
