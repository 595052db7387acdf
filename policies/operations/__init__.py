"""IAM operations on policies, one function per AWS action.

Each authorizes through the engine first, then validates, changes the data in
one transaction and records its event (``audit.recording.operation``); every
change to who holds which policy, or to what a held policy says, bumps the
account's policy generation in that same transaction so that the very next
decision sees it.
"""

from policies.operations.attachments import (  # noqa: F401
    AttachedPolicy,
    attach_group_policy,
    attach_role_policy,
    attach_user_policy,
    detach_group_policy,
    detach_role_policy,
    detach_user_policy,
    list_attached_group_policies,
    list_attached_role_policies,
    list_attached_user_policies,
)
from policies.operations.boundaries import (  # noqa: F401
    delete_role_permissions_boundary,
    delete_user_permissions_boundary,
    put_role_permissions_boundary,
    put_user_permissions_boundary,
)
from policies.operations.entities import EntitiesForPolicy, list_entities_for_policy  # noqa: F401
from policies.operations.inline import (  # noqa: F401
    delete_group_policy,
    delete_role_policy,
    delete_user_policy,
    get_group_policy,
    get_role_policy,
    get_user_policy,
    list_group_policies,
    list_role_policies,
    list_user_policies,
    put_group_policy,
    put_role_policy,
    put_user_policy,
)
from policies.operations.managed import (  # noqa: F401
    create_policy,
    delete_policy,
    get_policy,
    list_policies,
    list_policy_tags,
    tag_policy,
    untag_policy,
)
from policies.operations.versions import (  # noqa: F401
    create_policy_version,
    delete_policy_version,
    get_policy_version,
    list_policy_versions,
    set_default_policy_version,
)
from policies.simulation import (  # noqa: F401
    SimulationResult,
    get_context_keys_for_custom_policy,
    get_context_keys_for_principal_policy,
    simulate_custom_policy,
    simulate_principal_policy,
)
