"""Access Advisor's data: for each service this system serves, whether an
entity's policies grant any of its actions, and when the entity last used it.

"Granted" is the engine's answer for each action of the service on ``*`` with
the entity's own policy set (a user's, a group's or a role's; a role's
boundary included), so it agrees with real decisions rather than guessing
from policy text. Statements whose conditions need request context (MFA,
source IP ...) do not count. "Last accessed" is the newest successful event of
the entity for that service, within the event history's retention.

Nothing here authorizes: ``audit.operations.advisor`` does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import QuerySet

from audit import event_writer
from audit.models import Event
from identities.models import Group, Role, User
from policies.engine import PolicySet, Principal, Request, catalog, evaluate

SERVICES = [
    ("iam", "AWS Identity and Access Management (IAM)", catalog.iam_actions),
    ("sts", "AWS Security Token Service", catalog.sts_actions),
]
MAX_GROUP_MEMBERS = 1000


@dataclass(frozen=True)
class ServiceAccess:
    """One row of the Access Advisor tab."""

    namespace: str
    name: str
    allowed_actions: int
    total_actions: int
    policies: tuple[str, ...]
    last_accessed: datetime | None
    last_action: str = ""
    last_principal: str = ""

    @property
    def allowed(self) -> bool:
        return self.allowed_actions > 0


@dataclass
class AccessAdvisor:
    """The tab's content, or why the caller may not see it."""

    entity_kind: str = ""
    entity_name: str = ""
    entity_arn: str = ""
    services: list[ServiceAccess] = field(default_factory=list)
    tracking_days: int = 0
    denied: str = ""


def services_for(entity, policy_set: PolicySet, principal: Principal,
                 events: QuerySet[Event]) -> list[ServiceAccess]:
    """Each service's row for one entity, given its policy set and its events."""
    rows = []
    for namespace, name, actions in SERVICES:
        allowed, policies = _granted(policy_set, principal, actions())
        last = (events.filter(action__startswith=f"{namespace}:")
                .order_by("-time", "-id").values("time", "action", "principal_arn").first())
        rows.append(ServiceAccess(
            namespace=namespace, name=name, allowed_actions=allowed,
            total_actions=len(actions()), policies=policies,
            last_accessed=last["time"] if last else None,
            last_action=last["action"] if last else "",
            last_principal=last["principal_arn"] if last else ""))
    return rows


def principal_for(entity) -> Principal:
    """Who the engine pictures acting with the entity's policies."""
    account = entity.account_id
    if isinstance(entity, Role):
        return Principal(arn=f"arn:aws:sts::{account}:assumed-role/{entity.name}/access-advisor",
                         account=account, kind="AssumedRole", role_arn=entity.arn)
    # A group acts through its members: picture one at the group's ARN.
    return Principal(arn=entity.arn, account=account, kind="User")


def events_for(entity) -> QuerySet[Event]:
    """The entity's successful events (a group's: its members'; a role's: its sessions')."""
    event_writer.flush()  # this process's queued read events count as access
    rows = Event.objects.filter(account_id=entity.account_id, outcome=Event.SUCCESS)
    if isinstance(entity, User):
        return rows.filter(principal_arn=entity.arn)
    if isinstance(entity, Role):
        # Session ARNs carry the role's name, not its path.
        sessions = f"arn:aws:sts::{entity.account_id}:assumed-role/{entity.name}/"
        return rows.filter(principal_arn__startswith=sessions)
    if isinstance(entity, Group):
        members = (User.objects.filter(memberships__group=entity)
                   .values_list("path", "name")[:MAX_GROUP_MEMBERS])
        arns = [f"arn:aws:iam::{entity.account_id}:user{path}{name}" for path, name in members]
        return rows.filter(principal_arn__in=arns)
    raise TypeError(f"no access advisor for {type(entity).__name__}")


def _granted(policy_set: PolicySet, principal: Principal,
             actions: list[str]) -> tuple[int, tuple[str, ...]]:
    """How many of ``actions`` the set allows on ``*``, and the policies that allow them."""
    allowed = 0
    names: list[str] = []
    for action in actions:
        decision = evaluate(Request(action=action, resource="*", principal=principal),
                            policy_set)
        if not decision.allowed:
            continue
        allowed += 1
        for ref in decision.deciding:
            if ref.policy_name not in names:
                names.append(ref.policy_name)
    return allowed, tuple(sorted(names, key=str.lower))
