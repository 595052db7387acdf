"""AWS STS operations: AssumeRole, GetSessionToken, GetCallerIdentity, GetAccessKeyInfo,
and the console's "Revoke active sessions" (iam:PutRolePolicy).

Each authorizes first (or, where AWS requires no permission, says so), then
validates, changes the data in one transaction and records its event.

MFA codes are checked before the operation's transaction starts: a wrong code
must count against the device's throttle even though the operation then fails
and rolls back. The outcome reaches the operation as its ``mfa`` argument, which
the event history shows as "verified", "failed", "unknown-device" or "absent".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from audit.recording import operation
from core.caller import Caller
from core.errors import (
    AccessDenied,
    LimitExceeded,
    MalformedPolicyDocument,
    NoSuchEntity,
    ValidationError,
)
from identities.last_used import touch_role
from identities.lookups import find_role
from identities.models import AccessKey, MFADevice
from policies import policyset, selectors
from policies.authz import authorize, request_context
from policies.engine import PolicyError, PolicyKind, parse_policy, policy_size
from policies.models import InlinePolicy
from sts import services, trust, validation
from sts.models import RoleSession

MFA_INVALID_CODE = "MultiFactorAuthentication failed with invalid MFA one time pass code."
MFA_UNKNOWN_DEVICE = ("MultiFactorAuthentication failed, unable to validate MFA code. Please "
                      "verify your MFA serial number is valid and associated with this user.")


@dataclass(frozen=True)
class MfaCheck:
    state: str  # "absent", "verified", "failed", "unknown-device"
    at: datetime | None = None

    def __str__(self) -> str:
        return self.state

    def raise_if_failed(self) -> None:
        if self.state == "failed":
            raise AccessDenied(MFA_INVALID_CODE)
        if self.state == "unknown-device":
            raise AccessDenied(MFA_UNKNOWN_DEVICE)


def _check_mfa(caller: Caller, serial_number, token_code) -> MfaCheck:
    """Verify the code against the caller's own assigned device (outside any transaction)."""
    if not validation.well_formed_mfa(serial_number, token_code):
        return MfaCheck("absent")  # shape errors are the operation's to report
    user = caller.user if caller.session is None or caller.session.role_arn is None else None
    device = None
    if user is not None:
        device = MFADevice.objects.filter(serial_number=serial_number, user=user,
                                          confirmed=True).first()
    if device is None:
        return MfaCheck("unknown-device")
    if device.verify_token(token_code):
        return MfaCheck("verified", services._now())
    return MfaCheck("failed")


@dataclass(frozen=True)
class AssumedRole:
    """AssumeRole's result; the secret and token are shown once and stored nowhere in clear."""

    credentials: services.IssuedCredentials
    assumed_role_arn: str
    assumed_role_id: str
    packed_policy_size: int | None
    source_identity: str | None

    @property
    def session(self) -> RoleSession:
        return self.credentials.session

    @property
    def assumed_role_user(self) -> AssumedRoleUser:
        return AssumedRoleUser(arn=self.assumed_role_arn, assumed_role_id=self.assumed_role_id)


@dataclass(frozen=True)
class AssumedRoleUser:
    arn: str
    assumed_role_id: str


def assume_role(caller: Caller, *, role_arn: str, role_session_name: str,
                duration_seconds: int | None = None, policy: str | None = None,
                policy_arns: list | None = None, external_id: str | None = None,
                serial_number: str | None = None, token_code: str | None = None,
                tags: list | None = None, transitive_tag_keys: list | None = None,
                source_identity: str | None = None, is_console: bool = False) -> AssumedRole:
    """AssumeRole (sts:AssumeRole on the role; sts:TagSession with tags,
    sts:SetSourceIdentity with a source identity). ``is_console`` marks a
    console switch-role session (the console keeps its id, not its token)."""
    mfa = _check_mfa(caller, serial_number, token_code)
    return _assume_role(
        caller, role_arn=role_arn, role_session_name=role_session_name,
        duration_seconds=duration_seconds, policy=policy, policy_arns=policy_arns,
        external_id=external_id, serial_number=serial_number, token_code=token_code, tags=tags,
        transitive_tag_keys=transitive_tag_keys, source_identity=source_identity,
        is_console=is_console, mfa=mfa)


assume_role.iam_action = "sts:AssumeRole"


@operation("sts:AssumeRole")
def _assume_role(caller: Caller, *, role_arn, role_session_name, duration_seconds, policy,
                 policy_arns, external_id, serial_number, token_code, tags,
                 transitive_tag_keys, source_identity, is_console, mfa: MfaCheck) -> AssumedRole:
    now = services.whole_seconds(services._now())
    validation.session_name(role_session_name)
    duration = validation.duration(3600 if duration_seconds is None else duration_seconds,
                                   maximum=validation.MAX_ROLE_DURATION)
    if external_id is not None:
        validation.external_id(external_id)
    if source_identity is not None:
        validation.source_identity(source_identity)
    validation.mfa(serial_number, token_code)
    arns = validation.policy_arns(policy_arns)
    session_tags, transitive = validation.session_tags(tags, transitive_tag_keys)
    packed = validation.packed_size(policy, arns, session_tags, transitive)
    if policy is not None:
        _check_session_policy(policy)
    role = trust.role_by_arn(role_arn)
    if caller.is_root or caller.is_system:
        raise AccessDenied("Roles may not be assumed by root accounts.", action="sts:AssumeRole",
                           resource=role_arn, principal_arn=caller.principal_arn)
    mfa.raise_if_failed()

    parent = caller.session if caller.session is not None and caller.session.role_arn else None
    inherited = _inherited_tags(parent, session_tags)
    if parent is not None and parent.source_identity:
        if source_identity is not None and source_identity != parent.source_identity:
            raise AccessDenied("SourceIdentity cannot be changed in a role chain.",
                               action="sts:SetSourceIdentity", resource=role_arn,
                               principal_arn=caller.principal_arn)
        source_identity = parent.source_identity

    context = request_context(caller, now)
    if mfa.state == "verified":
        context["aws:MultiFactorAuthPresent"] = "true"
        context["aws:MultiFactorAuthAge"] = "0"
    context["sts:RoleSessionName"] = role_session_name
    if external_id is not None:
        context["sts:ExternalId"] = external_id
    if source_identity is not None:
        context["sts:SourceIdentity"] = source_identity
    if session_tags:
        context["aws:TagKeys"] = [t["Key"] for t in session_tags]
        for tag in session_tags:
            context[f"aws:RequestTag/{tag['Key']}"] = tag["Value"]
    if transitive:
        context["sts:TransitiveTagKeys"] = transitive
    actions = ["sts:AssumeRole"]
    if session_tags or transitive:
        actions.append("sts:TagSession")
    if source_identity is not None and (parent is None or not parent.source_identity):
        actions.append("sts:SetSourceIdentity")
    trust.authorize_assume(caller, role, role_arn, tuple(actions), context)

    # Checked only now: before authorization they would tell an outsider
    # what the role in another account allows.
    if parent is not None and duration > validation.CHAINED_MAX_DURATION:
        raise ValidationError("The requested DurationSeconds exceeds the 1 hour session limit "
                              "for roles assumed by role chaining.")
    if duration > role.max_session_duration:
        raise ValidationError("The requested DurationSeconds exceeds the MaxSessionDuration set "
                              "for this role.")
    _check_policy_arns_exist(role.account_id, arns)

    # A user's MFA (console sign-in, or an MFA session token) carries into the
    # role session; a chained session is MFA-authenticated only by a code given
    # in this call, so MFA cannot be laundered through a chain of roles.
    mfa_at = mfa.at if mfa.state == "verified" else (
        caller.mfa_authenticated_at if parent is None else None)
    session = RoleSession(
        kind=RoleSession.Kind.ROLE, account_id=role.account_id, role=role,
        issued_role_arn=role.arn, role_unique_id=role.role_id, role_name=role.name,
        session_name=role_session_name, source_arn=caller.principal_arn,
        source_account=caller.account_id, issued_at=now,
        expires_at=now + timedelta(seconds=duration),
        is_console=is_console, chained=parent is not None, policy=policy or "",
        policy_arns=arns, tags=inherited + session_tags,
        transitive_tag_keys=[t["Key"] for t in inherited] + transitive,
        source_identity=source_identity or "", mfa_authenticated=mfa_at is not None,
        mfa_authenticated_at=mfa_at)
    issued = services.issue(session)
    touch_role(role, "us-east-1", now=now)
    return AssumedRole(credentials=issued, assumed_role_arn=session.arn,
                       assumed_role_id=session.assumed_role_id, packed_policy_size=packed,
                       source_identity=source_identity)


def _check_session_policy(policy: str) -> None:
    try:
        parse_policy(policy, PolicyKind.SESSION)
    except PolicyError as error:
        raise MalformedPolicyDocument(error.message) from error


def _check_policy_arns_exist(account_id: str, arns: list[str]) -> None:
    found = {arn for arn, _, _ in services._managed_documents(account_id, arns)}
    for arn in arns:
        if arn not in found:
            raise MalformedPolicyDocument(f"Policy {arn} does not exist or is not attachable.")


def _inherited_tags(parent: RoleSession | None, requested: list[dict]) -> list[dict]:
    """A chained session keeps the caller's transitive tags; AWS refuses a request
    that passes a tag with the same key as an inherited one."""
    if parent is None or not parent.transitive_tag_keys:
        return []
    keys = {k.lower() for k in parent.transitive_tag_keys}
    inherited = [t for t in parent.tags if t["Key"].lower() in keys]
    clash = {t["Key"].lower() for t in inherited} & {t["Key"].lower() for t in requested}
    if clash:
        raise ValidationError(f"Session tag {sorted(clash)[0]} cannot override a transitive "
                              "tag inherited from the calling session.")
    return inherited


def get_session_token(caller: Caller, *, duration_seconds: int | None = None,
                      serial_number: str | None = None,
                      token_code: str | None = None) -> services.IssuedCredentials:
    """GetSessionToken: temporary credentials that act as the calling user, with MFA
    when a code is given. AWS requires no permission for it (it authenticates)."""
    mfa = _check_mfa(caller, serial_number, token_code)
    return _get_session_token(caller, duration_seconds=duration_seconds,
                              serial_number=serial_number, token_code=token_code, mfa=mfa)


get_session_token.iam_action = "sts:GetSessionToken"


@operation("sts:GetSessionToken", writes=True)  # the session
def _get_session_token(caller: Caller, *, duration_seconds, serial_number, token_code,
                       mfa: MfaCheck) -> services.IssuedCredentials:
    now = services.whole_seconds(services._now())
    duration = validation.duration(43200 if duration_seconds is None else duration_seconds,
                                   maximum=validation.MAX_SESSION_TOKEN_DURATION)
    validation.mfa(serial_number, token_code)
    if caller.session is not None or caller.user is None:
        raise AccessDenied("Cannot call GetSessionToken with session credentials",
                           action="sts:GetSessionToken", principal_arn=caller.principal_arn)
    mfa.raise_if_failed()
    if caller.is_root:
        duration = min(duration, 3600)  # AWS shortens, rather than refuses, the root's request
    mfa_at = mfa.at if mfa.state == "verified" else None
    session = RoleSession(
        kind=RoleSession.Kind.SESSION_TOKEN, account_id=caller.account_id, user=caller.user,
        source_arn=caller.principal_arn, source_account=caller.account_id, issued_at=now,
        expires_at=now + timedelta(seconds=duration), mfa_authenticated=mfa_at is not None,
        mfa_authenticated_at=mfa_at)
    return services.issue(session)


@dataclass(frozen=True)
class CallerIdentity:
    user_id: str
    account: str
    arn: str


@operation("sts:GetCallerIdentity")
def get_caller_identity(caller: Caller) -> CallerIdentity:
    """GetCallerIdentity: needs no permission, and a Deny cannot stop it (AWS)."""
    session = caller.session
    if session is not None and session.role_arn:
        user_id = session.assumed_role_id
    elif caller.is_root:
        user_id = caller.account_id
    else:
        user_id = caller.user.user_id
    return CallerIdentity(user_id=user_id, account=caller.account_id, arn=caller.principal_arn)


@operation("sts:GetAccessKeyInfo")
def get_access_key_info(caller: Caller, *, access_key_id: str) -> str:
    """GetAccessKeyInfo (sts:GetAccessKeyInfo on "*"): the account an AKIA or ASIA key
    belongs to, whichever account that is - the key's state is not revealed."""
    validation.access_key_id(access_key_id)
    authorize(caller, "sts:GetAccessKeyInfo", "*")
    account = (AccessKey.objects.filter(access_key_id=access_key_id)
               .values_list("user__account_id", flat=True).first()
               or RoleSession.objects.filter(access_key_id=access_key_id)
               .values_list("account_id", flat=True).first())
    if account is None:
        raise NoSuchEntity("The specified access key does not exist.")
    return account


@operation("iam:PutRolePolicy")
def revoke_role_sessions(caller: Caller, *, role_name: str) -> datetime:
    """The console's "Revoke active sessions": puts AWS's ``AWSRevokeOlderSessions``
    inline policy on the role (iam:PutRolePolicy on it), denying everything to
    sessions issued before now. Returns the cut-off written into the policy."""
    role = find_role(caller, role_name, "iam:PutRolePolicy", for_update=True)
    now = services._now()
    document = services.revocation_document(now)
    others = selectors.inline_size(role=role, exclude_name=services.REVOKE_POLICY_NAME)
    if others + policy_size(document) > PolicyKind.ROLE_INLINE.max_size:
        raise LimitExceeded(f"Maximum policy size of {PolicyKind.ROLE_INLINE.max_size} bytes "
                            f"exceeded for role {role.name}")
    InlinePolicy.objects.update_or_create(role=role, name=services.REVOKE_POLICY_NAME,
                                          defaults={"document": document})
    policyset.bump(role.account_id)
    return services.revocation_cutoff(now)


@operation("sts:DecodeAuthorizationMessage")
def decode_authorization_message(caller: Caller, *, encoded_message: str) -> str:
    """DecodeAuthorizationMessage (sts:DecodeAuthorizationMessage on *): the decision
    behind an AccessDenied issued in the caller's account, as JSON text."""
    from policies import authz_messages

    authorize(caller, "sts:DecodeAuthorizationMessage", "*")
    return authz_messages.decode(caller.account_id, encoded_message)
