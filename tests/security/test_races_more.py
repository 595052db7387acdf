"""More races, on PostgreSQL with real connections (one per thread).

Already covered elsewhere and counted in the figures by ``python -m bench.security``:
parallel policy versions stop at five
(tests/policies/test_policy_versions.py::test_two_concurrent_fifth_versions_cannot_make_six),
parallel attachments stop at ten
(tests/policies/test_attachments.py::test_two_concurrent_tenth_attachments_cannot_make_eleven),
and two Celery expiry runs at once do no double work
(tests/sts/test_expiry_tasks.py::test_two_concurrent_expiry_runs_do_no_double_work).
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections

from core.caller import Caller
from core.errors import AccessDenied
from identities.models import User
from identities.operations import roles
from policies import policyset
from policies.authz import authorize
from sts import services
from sts.models import RoleSession
from sts.operations import assume_role, revoke_role_sessions
from tests.factories import grant, make_iam_user
from tests.security import figures
from tests.security.support import allow, doc, set_inline

pytestmark = pytest.mark.django_db(transaction=True)
ACCOUNT = "111122223333"


def _postgres_only():
    if connection.vendor != "postgresql":
        from tests.conftest import require_service

        require_service("PostgreSQL", "row locks and concurrent commits are what is tested")


def _may_act(session: RoleSession) -> bool:
    caller = services.caller_for_session(
        RoleSession.objects.select_related("role", "account").get(pk=session.pk))
    try:
        authorize(caller, "iam:GetUser", f"arn:aws:iam::{ACCOUNT}:user/anyone")
    except AccessDenied:
        return False
    return True


def test_no_session_issued_before_a_revocation_acts_after_it_however_the_race_goes(
        alice_account):
    """Six threads assume a role as fast as they can while another revokes its
    sessions: every session issued before the cut-off is refused from then on, every
    one issued after it works, and none is lost between the two."""
    _postgres_only()
    admin = make_iam_user(alice_account.account, "admin", password=None)
    grant(admin)
    assumer = make_iam_user(alice_account.account, "assumer", password=None)
    set_inline(assumer, doc(allow("sts:AssumeRole")))
    role = roles.create_role(Caller.for_user(admin), role_name="Busy",
                             assume_role_policy_document=doc({
                                 "Effect": "Allow", "Action": "sts:AssumeRole",
                                 "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}}))
    set_inline(role, doc(allow("iam:GetUser")), name="work")
    start = threading.Barrier(7)
    stop_at = time.monotonic() + 10
    cutoff: list = []
    errors: list[str] = []

    def assume(worker: int):
        try:
            start.wait(10)
            caller = Caller.for_user(User.objects.get(pk=assumer.pk))
            count = 0
            # Until 1.5 s past the revocation, so that sessions land in the same
            # second as the cut-off and in the next one; bounded in time and count.
            while time.monotonic() < stop_at and count < 300:
                assume_role(caller, role_arn=role.arn, role_session_name=f"w{worker}-{count}")
                count += 1
                if len(cutoff) == 2 and time.monotonic() > cutoff[1] + 1.5:
                    break
        except Exception as exc:  # reported below, not lost in the thread
            errors.append(repr(exc))
        finally:
            connections.close_all()

    def revoke():
        try:
            start.wait(10)
            time.sleep(0.6)
            cutoff.append(revoke_role_sessions(Caller.for_user(User.objects.get(pk=admin.pk)),
                                               role_name="Busy"))
            cutoff.append(time.monotonic())
        except Exception as exc:
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=assume, args=(n,)) for n in range(6)]
    threads.append(threading.Thread(target=revoke))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == [] and cutoff

    policyset.clear_cache()
    services.clear_cache()
    sessions = list(RoleSession.objects.filter(role_name="Busy"))
    before = [s for s in sessions if s.issued_at < cutoff[0]]
    after = [s for s in sessions if s.issued_at >= cutoff[0]]
    wrongly_allowed = [s.session_name for s in before if _may_act(s)]
    wrongly_denied = [s.session_name for s in after if not _may_act(s)]
    for name in wrongly_allowed:
        figures.violation(f"session {name} issued before the revocation still acts")
    assert before and after, (len(before), len(after))
    assert wrongly_allowed == [] and wrongly_denied == []
