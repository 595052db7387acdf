"""The Access Advisor tab of user, group and role pages.

Authorized as ``iam:GenerateServiceLastAccessedDetails`` on the entity's ARN,
the action behind the AWS console's tab; the lookup is authorized before the
entity's existence is revealed, as for every named entity.
"""

from __future__ import annotations

from audit import advisor, services
from audit.recording import operation
from core.caller import Caller
from core.errors import AccessDenied, InvalidInput
from identities.lookups import find_group, find_role, find_user

ACTION = "iam:GenerateServiceLastAccessedDetails"


@operation(ACTION)
def access_advisor(caller: Caller, *, entity_kind: str, name: str) -> advisor.AccessAdvisor:
    """Services the entity's policies grant and when it last used each (user, group or role)."""
    from policies.policyset import load_user_policy_set
    from policies.selectors import load_group_policy_set, load_role_policy_set

    finders = {
        "user": (find_user, load_user_policy_set),
        "group": (find_group, load_group_policy_set),
        "role": (find_role, load_role_policy_set),
    }
    if entity_kind not in finders:
        raise InvalidInput("The entity must be a user, a group or a role.")
    find, load = finders[entity_kind]
    entity = find(caller, name, ACTION)
    rows = advisor.services_for(entity, load(entity), advisor.principal_for(entity),
                                advisor.events_for(entity))
    return advisor.AccessAdvisor(entity_kind=entity_kind, entity_name=entity.name,
                                 entity_arn=entity.arn, services=rows,
                                 tracking_days=services.retention_days())


def access_advisor_tab(caller: Caller, *, entity_kind: str, name: str) -> advisor.AccessAdvisor:
    """The tab for a detail page: a refusal shows in place instead of failing the page.

    The refusal is already in the event history (the operation recorded it).
    """
    try:
        return access_advisor(caller, entity_kind=entity_kind, name=name)
    except AccessDenied as refused:
        return advisor.AccessAdvisor(entity_kind=entity_kind, entity_name=name,
                                     denied=refused.message)
