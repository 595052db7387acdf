"""Bad input on the wire: every parameter of a sample of actions, and odd list indices,
get a clear AWS XML answer - never a 5xx, never an HTML page, always well-formed
XML - and a refused request changes nothing. Whatever is stored (characters XML
1.0 forbids included), the XML that lists it back stays well-formed.

Requests are signed over their exact bytes and posted through Django's test
client, so that Hypothesis can try many in a few seconds.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from urllib.parse import quote

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from awsquery import shapes
from identities.operations import groups, roles, users
from policies import operations as policy_ops
from tests.factories import grant, make_iam_user
from tests.security import figures
from tests.security.request_values import build
from tests.security.support import (
    ADMIN,
    changed,
    form_pairs,
    in_process_client,
    new_key,
    signed_post,
    snapshot,
    xml_problem,
)

pytestmark = pytest.mark.django_db
# IAM_FUZZ_EXAMPLES=2000 for a deeper run; the default keeps the suite fast.
EXAMPLES = int(os.environ.get("IAM_FUZZ_EXAMPLES", "100"))
FAST = settings(max_examples=EXAMPLES, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

SAMPLE = [("iam", "CreateUser"), ("iam", "TagUser"), ("iam", "PutUserPolicy"),
          ("iam", "CreatePolicy"), ("iam", "ListUsers"), ("iam", "UpdateAccessKey"),
          ("iam", "CreateRole"), ("iam", "UpdateAccountPasswordPolicy"), ("iam", "GetGroup"),
          ("iam", "SimulateCustomPolicy"), ("iam", "UntagRole"), ("iam", "ListPolicies"),
          ("iam", "CreateLoginProfile"), ("iam", "UpdateRole"), ("sts", "AssumeRole"),
          ("sts", "GetSessionToken")]
NASTY = ["\u0430dmin", "\uff41\uff44\uff4d\uff49\uff4e", "admin\x00", "\x00", "\uff11\uff10",
         "\u0663", "10\x00", "-0", "1e3", "0x10", "99999999999999999999", "", " ", "\ufffe",
         "\uffff", "\x1f", "\x7f", "<script>alert(1)</script>", "]]>", "&amp;", "%", "a" * 70000,
         "\ud800", "\udfff\ud800", "../../etc/passwd", "${aws:username}", "*", "true\x00",
         "\u202eevil", "\u00e9\u0301", "A\u0300" * 50, "\U0001f600" * 40]
ODD_INDICES = ["0", "-1", "01", "1e3", "\u0661", "99999999999999999999", "", " 1", "1 ",
               "\uff11", "+1", "1.0"]


def _body(pairs: list[tuple[str, str]]) -> bytes:
    """The form as bytes; a lone surrogate goes out as the (invalid) UTF-8 it would be."""
    def encode(text: str) -> str:
        return quote(text.encode("utf-8", "surrogatepass"), safe="")
    return "&".join(f"{encode(k)}={encode(v)}" for k, v in pairs).encode("ascii")


@pytest.fixture
def scene(alice_account) -> dict:
    """An administrator's key, one of each entity the sample names, and a user whose
    name the stored-characters test rewrites."""
    from core.caller import Caller

    admin = make_iam_user(alice_account.account, "fuzzer", password=None)
    grant(admin)
    caller = Caller.for_user(admin)
    users.create_user(caller, user_name="someone")
    groups.create_group(caller, group_name="somegroup")
    roles.create_role(caller, role_name="SomeRole",
                      assume_role_policy_document=build("iam", "CreateRole")[
                          "AssumeRolePolicyDocument"])
    policy_ops.create_policy(caller, policy_name="Existing", policy_document=ADMIN)
    odd = make_iam_user(alice_account.account, "oddname", password=None)
    return {"key": new_key(admin), "odd": odd.user_id}


def _check(response, before_state) -> list[str]:
    figures.count("fuzz_inputs")
    problem = xml_problem(response.status_code, response.get("Content-Type", ""),
                          response.content)
    if problem:
        figures.count("fuzz_server_errors")
        return [problem]
    if response.status_code != 200 and changed(before_state, snapshot()):
        return [f"refused ({response.status_code}) but changed the database"]
    return []


@FAST
@given(data=st.data())
def test_any_value_in_any_parameter_gets_a_clean_aws_answer(data, scene):
    service, action = data.draw(st.sampled_from(SAMPLE))
    version = shapes.SERVICES[service].version
    pairs = form_pairs(service, action, build(service, action))
    if pairs:
        index = data.draw(st.integers(0, len(pairs) - 1))
        value = data.draw(st.sampled_from(NASTY) | st.text(max_size=30))
        pairs[index] = (pairs[index][0], value)
    else:
        pairs.append((data.draw(st.sampled_from(["DurationSeconds", "X"])),
                      data.draw(st.sampled_from(NASTY))))
    pairs += [("Action", action), ("Version", version)]
    before = snapshot()
    response = signed_post(Client(), *scene["key"], service, _body(pairs))
    assert _check(response, before) == [], (action, pairs[:3], response.content[:300])


@FAST
@given(data=st.data())
def test_odd_list_indices_and_names_get_a_clean_aws_answer(data, scene):
    action = data.draw(st.sampled_from(["TagUser", "UntagRole", "SimulateCustomPolicy",
                                        "CreatePolicy", "CreateUser"]))
    params = build("iam", action, {"Tags": [{"Key": "a", "Value": "b"}], "TagKeys": ["a"]})
    pairs = form_pairs("iam", action, params)
    lists = [name for name, _ in pairs if ".member." in name]
    if lists:
        name = data.draw(st.sampled_from(lists))
        head, _, tail = name.partition(".member.")
        rest = tail.partition(".")[2]
        index = data.draw(st.sampled_from(ODD_INDICES))
        odd = f"{head}.member.{index}" + (f".{rest}" if rest else "")
        pairs.append((odd, data.draw(st.sampled_from(NASTY[:12]) | st.just("x"))))
    extra = data.draw(st.sampled_from(["", "Tags.entry.1.key", "Tags.member.1.Key.Deeper",
                                       "Tags.member", "Tags", "Tags..Key", ".",
                                       "UserName.member.1"]))
    if extra:
        pairs.append((extra, "x"))
    pairs += [("Action", action), ("Version", "2010-05-08")]
    before = snapshot()
    response = signed_post(Client(), *scene["key"], "iam", _body(pairs))
    assert _check(response, before) == [], (pairs, response.content[:300])


@pytest.mark.parametrize("body", [
    b"Action=ListUsers&Version=2010-05-08&Marker=%zz",
    b"Action=ListUsers&Version=2010-05-08&Marker=%ff%fe",
    b"Action=ListUsers&Version=2010-05-08&" + b"&".join(b"a%d=1" % i for i in range(1500)),
    b"Action=ListUsers&Version=2010-05-08&MaxItems=%EF%BC%91%EF%BC%90",
    b"Action=List%00Users&Version=2010-05-08",
    b"Action=ListUsers&Version=2010-05-08%00",
    b"\xff\xfe\x00A",
    b"Action=CreateLoginProfile&Version=2010-05-08&UserName=someone",
], ids=["bad percent", "invalid utf-8", "too many fields", "full-width digits", "NUL action",
        "NUL version", "binary", "missing password"])
def test_malformed_forms_get_a_clean_aws_answer(body, scene):
    before = snapshot()
    response = signed_post(Client(), *scene["key"], "iam", body)
    assert _check(response, before) == [], response.content[:300]
    assert response.status_code in (400, 404, 413), response.content[:300]


_storable = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"),
                    min_size=1, max_size=40)


@settings(max_examples=max(20, EXAMPLES // 4), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=_storable)
def test_whatever_is_stored_lists_back_as_well_formed_xml(text, scene):
    """The API refuses characters XML cannot carry, but rows written another way (an
    import, an older version, the console) may hold them: lists must stay parseable."""
    from identities.models import Role, User
    from policies.models import ManagedPolicy

    User.objects.filter(name="someone").update(tags=[{"Key": "k", "Value": text}],
                                               path="/" + text.replace("/", "") + "/")
    User.objects.filter(user_id=scene["odd"]).update(name=("odd" + text)[:64])
    Role.objects.filter(name="SomeRole").update(description=text,
                                                tags=[{"Key": text, "Value": text}])
    ManagedPolicy.objects.filter(name="Existing").update(description=text)
    seen: list = []
    iam = in_process_client("iam", *scene["key"], seen=seen)
    iam.list_user_tags(UserName="someone")
    iam.list_users()
    iam.get_role(RoleName="SomeRole")
    iam.list_roles()
    iam.list_role_tags(RoleName="SomeRole")
    iam.list_policies(Scope="Local")
    for status, content_type, body in seen:
        figures.count("fuzz_inputs")
        problem = xml_problem(status, content_type, body)
        if problem:
            figures.count("fuzz_server_errors")
        assert problem is None, (text, body[:300])
        ET.fromstring(body)
