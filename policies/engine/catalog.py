"""The actions this system authorizes: IAM and STS, read from botocore's models.

botocore ships the IAM (2010-05-08) and STS (2011-06-15) service models, so the
catalogue stays in step with the API that boto3 clients call.  It is loaded on first
use, not at import, so importing the engine stays fast.

Besides API operations the catalogue has the permission-only actions that exist in
IAM policies but not as API calls (``iam:PassRole``, ``sts:TagSession`` ...) and
the actions of this system's own event history (``iam:ListEvents``,
``iam:GetEvent``).

Access levels are derived from the action name, by the first rule that applies:

1. ``List*``                                         -> "List"
2. ``Get*``, ``Simulate*``, ``Generate*``, ``Decode*`` -> "Read"
3. ``Tag*``, ``Untag*``                               -> "Tagging"
4. ``*PasswordPolicy`` (account password settings)   -> "Write"
5. ``Put*``, ``Attach*``, ``Detach*``, names containing ``Policy`` or
   ``PermissionsBoundary``                          -> "Permissions management"
6. anything else                                     -> "Write"

This reproduces the levels in AWS's Service Authorization Reference for IAM and
STS closely enough for the console's policy summaries.
"""

from __future__ import annotations

from functools import lru_cache

from .matching import compile_glob

EXTRA_IAM_ACTIONS = ("PassRole", "ListEvents", "GetEvent")
EXTRA_STS_ACTIONS = ("TagSession", "SetSourceIdentity", "SetContext")

LIST = "List"
READ = "Read"
WRITE = "Write"
PERMISSIONS_MANAGEMENT = "Permissions management"
TAGGING = "Tagging"


@lru_cache(maxsize=None)
def _operations(service: str) -> tuple[str, ...]:
    from botocore.loaders import Loader  # lazy: botocore's loader is slow to import

    model = Loader().load_service_model(service, "service-2")
    return tuple(model["operations"])


@lru_cache(maxsize=None)
def _actions(service: str, extra: tuple[str, ...]) -> tuple[str, ...]:
    names = set(_operations(service)) | set(extra)
    return tuple(sorted(f"{service}:{n}" for n in names))


def iam_actions() -> list[str]:
    """Every IAM action, sorted, as ``iam:Name``."""
    return list(_actions("iam", EXTRA_IAM_ACTIONS))


def sts_actions() -> list[str]:
    """Every STS action, sorted, as ``sts:Name``."""
    return list(_actions("sts", EXTRA_STS_ACTIONS))


def all_actions() -> list[str]:
    return iam_actions() + sts_actions()


@lru_cache(maxsize=None)
def _known() -> dict[str, str]:
    return {a.lower(): a for a in all_actions()}


def is_known_action(action: str) -> bool:
    """True for an IAM or STS action of the catalogue (case-insensitive, as policies are)."""
    return action.lower() in _known()


def canonical_name(action: str) -> str | None:
    """The catalogue's spelling of ``action`` ("iam:createuser" -> "iam:CreateUser")."""
    return _known().get(action.lower())


def actions_matching(pattern: str) -> list[str]:
    """Catalogue actions matched by an Action pattern such as ``iam:Get*``."""
    matcher = compile_glob(pattern.lower())
    return [name for lowered, name in _known().items() if matcher(lowered)]


def access_level(action: str) -> str:
    """The access level of ``action`` by the naming rules in the module docstring."""
    name = canonical_name(action) or action
    name = name.partition(":")[2] or name
    if name.startswith("List"):
        return LIST
    if name.startswith(("Get", "Simulate", "Generate", "Decode")):
        return READ
    if name.startswith(("Tag", "Untag")):
        return TAGGING
    if name.endswith("PasswordPolicy"):
        return WRITE
    if (
        name.startswith(("Put", "Attach", "Detach"))
        or "Policy" in name
        or "PermissionsBoundary" in name
    ):
        return PERMISSIONS_MANAGEMENT
    return WRITE
