"""IAM actions on policies: managed policies and versions, inline policies,
attachments, boundaries and the simulator; each a route to one operation."""

from __future__ import annotations

from awsquery import results as r
from awsquery.registry import route

_OPS = "policies.operations"


def _listed_policy(policy) -> dict:
    # ListPolicies returns a subset of each policy, as AWS does: no tags or description.
    return {**r.policy(policy), "Tags": None, "Description": None}


def _version_without_document(version) -> dict:
    return r.policy_version(version, document=False)


def _inline(owner_key: str):
    def shape(row) -> dict:
        return {owner_key: row.owner.name, "PolicyName": row.name, "PolicyDocument": row.document}
    return shape


def _attached(item) -> dict:
    return {"PolicyName": item.policy_name, "PolicyArn": item.policy_arn}


def _entities(result) -> dict:
    return {
        "PolicyGroups": [{"GroupName": g.name, "GroupId": g.group_id}
                         for g in result.policy_groups],
        "PolicyUsers": [{"UserName": u.name, "UserId": u.user_id} for u in result.policy_users],
        "PolicyRoles": [{"RoleName": o.name, "RoleId": o.role_id} for o in result.policy_roles],
        "IsTruncated": result.is_truncated, "Marker": result.marker,
    }


def _statement(ref) -> dict:
    return {"SourcePolicyId": ref.policy_name or ref.policy_id}


def _evaluation(result) -> dict:
    boundary = result.allowed_by_permissions_boundary
    return {
        "EvalActionName": result.eval_action_name,
        "EvalResourceName": result.eval_resource_name,
        "EvalDecision": result.eval_decision,
        "MatchedStatements": [_statement(ref) for ref in result.matched_statements],
        "MissingContextValues": list(result.missing_context_values),
        "PermissionsBoundaryDecisionDetail": (
            None if boundary is None else {"AllowedByPermissionsBoundary": boundary}),
    }


_simulation = r.listing("EvaluationResults", _evaluation)


def _context_keys(keys) -> dict:
    return {"ContextKeyNames": list(keys)}


ROUTES = [
    # Managed policies
    route("CreatePolicy", f"{_OPS}.managed:create_policy", r.wrap("Policy", r.policy)),
    route("GetPolicy", f"{_OPS}.managed:get_policy", r.wrap("Policy", r.policy)),
    route("ListPolicies", f"{_OPS}.managed:list_policies", r.listing("Policies", _listed_policy)),
    route("DeletePolicy", f"{_OPS}.managed:delete_policy"),
    route("TagPolicy", f"{_OPS}.managed:tag_policy"),
    route("UntagPolicy", f"{_OPS}.managed:untag_policy"),
    route("ListPolicyTags", f"{_OPS}.managed:list_policy_tags", r.listing("Tags", r.tag),
          paged_here=True),
    # Versions
    route("CreatePolicyVersion", f"{_OPS}.versions:create_policy_version",
          r.wrap("PolicyVersion", _version_without_document)),
    route("GetPolicyVersion", f"{_OPS}.versions:get_policy_version",
          r.wrap("PolicyVersion", r.policy_version)),
    route("ListPolicyVersions", f"{_OPS}.versions:list_policy_versions",
          r.listing("Versions", _version_without_document)),
    route("DeletePolicyVersion", f"{_OPS}.versions:delete_policy_version"),
    route("SetDefaultPolicyVersion", f"{_OPS}.versions:set_default_policy_version"),
    # Inline policies
    route("PutUserPolicy", f"{_OPS}.inline:put_user_policy"),
    route("GetUserPolicy", f"{_OPS}.inline:get_user_policy", _inline("UserName")),
    route("ListUserPolicies", f"{_OPS}.inline:list_user_policies", r.listing("PolicyNames")),
    route("DeleteUserPolicy", f"{_OPS}.inline:delete_user_policy"),
    route("PutGroupPolicy", f"{_OPS}.inline:put_group_policy"),
    route("GetGroupPolicy", f"{_OPS}.inline:get_group_policy", _inline("GroupName")),
    route("ListGroupPolicies", f"{_OPS}.inline:list_group_policies", r.listing("PolicyNames")),
    route("DeleteGroupPolicy", f"{_OPS}.inline:delete_group_policy"),
    route("PutRolePolicy", f"{_OPS}.inline:put_role_policy"),
    route("GetRolePolicy", f"{_OPS}.inline:get_role_policy", _inline("RoleName")),
    route("ListRolePolicies", f"{_OPS}.inline:list_role_policies", r.listing("PolicyNames")),
    route("DeleteRolePolicy", f"{_OPS}.inline:delete_role_policy"),
    # Attachments
    route("AttachUserPolicy", f"{_OPS}.attachments:attach_user_policy"),
    route("DetachUserPolicy", f"{_OPS}.attachments:detach_user_policy"),
    route("ListAttachedUserPolicies", f"{_OPS}.attachments:list_attached_user_policies",
          r.listing("AttachedPolicies", _attached)),
    route("AttachGroupPolicy", f"{_OPS}.attachments:attach_group_policy"),
    route("DetachGroupPolicy", f"{_OPS}.attachments:detach_group_policy"),
    route("ListAttachedGroupPolicies", f"{_OPS}.attachments:list_attached_group_policies",
          r.listing("AttachedPolicies", _attached)),
    route("AttachRolePolicy", f"{_OPS}.attachments:attach_role_policy"),
    route("DetachRolePolicy", f"{_OPS}.attachments:detach_role_policy"),
    route("ListAttachedRolePolicies", f"{_OPS}.attachments:list_attached_role_policies",
          r.listing("AttachedPolicies", _attached)),
    route("ListEntitiesForPolicy", f"{_OPS}.entities:list_entities_for_policy", _entities),
    # Permissions boundaries
    route("PutUserPermissionsBoundary", f"{_OPS}.boundaries:put_user_permissions_boundary"),
    route("DeleteUserPermissionsBoundary", f"{_OPS}.boundaries:delete_user_permissions_boundary"),
    route("PutRolePermissionsBoundary", f"{_OPS}.boundaries:put_role_permissions_boundary"),
    route("DeleteRolePermissionsBoundary", f"{_OPS}.boundaries:delete_role_permissions_boundary"),
    # The simulator
    route("SimulatePrincipalPolicy", "policies.simulation:simulate_principal_policy",
          _simulation, paged_here=True),
    route("SimulateCustomPolicy", "policies.simulation:simulate_custom_policy",
          _simulation, paged_here=True),
    route("GetContextKeysForPrincipalPolicy",
          "policies.simulation:get_context_keys_for_principal_policy", _context_keys),
    route("GetContextKeysForCustomPolicy", "policies.simulation:get_context_keys_for_custom_policy",
          _context_keys),
]
