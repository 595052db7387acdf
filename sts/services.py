"""Work on temporary credentials that operations, tasks and the wire protocol share.

Nothing here authorizes: callers are operations (which authorize first), the
``awsquery`` layer resolving the credentials a request was signed with, the
console middleware, and the Celery tasks.

Expiry is decided here, from time, every time a credential is presented
(``resolve_temporary_credentials``): the expiry task only marks rows for
bookkeeping and deletes old ones. AWS's rule is used at the boundary: a
credential is expired from its expiration instant on (``now >= expires_at``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone as dt_timezone

from django.conf import settings
from django.utils import timezone

from core import ids
from core.caller import Caller
from core.errors import AccessDenied
from core.lru import BoundedCache
from identities.models import Account
from policies import policyset, selectors
from policies.engine import PolicyKind, PolicySet, compile_policy
from policies.models import ManagedPolicy
from sts.errors import ExpiredToken, InvalidClientTokenId
from sts.models import RoleSession

# A session policy ARN whose policy was deleted since must not leave the session
# with fewer session policies (that would widen it): it is replaced by this
# policy, which matches no action and so allows nothing.
_NOTHING = '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotAction":"*","Resource":"*"}]}'
_TOKEN_BYTES = 96
_cache: BoundedCache[PolicySet] = BoundedCache(4096)


def _now() -> datetime:
    """The clock seam: tests move time by patching this."""
    return timezone.now()


def whole_seconds(moment: datetime) -> datetime:
    """Issue and expiry times are whole seconds, like AWS's ``Expiration`` and
    ``aws:TokenIssueTime``; keeping them so makes the revocation rule exact."""
    return moment.replace(microsecond=0)


def iso(moment: datetime) -> str:
    return moment.astimezone(dt_timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedCredentials:
    """What the caller sees once: the secret and the token are never stored in clear."""

    session: RoleSession
    access_key_id: str
    secret_access_key: str
    session_token: str
    expiration: datetime


def issue(session: RoleSession) -> IssuedCredentials:
    """Give ``session`` (filled in, unsaved) a new key, secret and token, and save it."""
    secret = ids.secret_access_key()
    token = secrets.token_urlsafe(_TOKEN_BYTES)
    session.access_key_id = ids.access_key_id(ids.TEMPORARY_KEY_PREFIX)
    session.set_secret(secret)
    session.token_hash = hash_token(token)
    session.save()
    return IssuedCredentials(session, session.access_key_id, secret, token, session.expires_at)


# Resolving presented credentials ---------------------------------------------------


def resolve_temporary_credentials(access_key_id: str, session_token: str,
                                  now: datetime | None = None) -> RoleSession:
    """The session an ``ASIA...`` key and its token belong to, if usable right now.

    Raises InvalidClientTokenId for an unknown key, a wrong token, a revoked
    session or a session whose role was deleted (or replaced by a new role of
    the same name), and ExpiredToken once ``now >= expires_at``, whether or not
    the expiry task has run.
    """
    now = now or _now()
    if not access_key_id or not session_token:
        raise InvalidClientTokenId()
    session = (RoleSession.objects.select_related("role", "user", "account")
               .filter(access_key_id=access_key_id).first())
    # Compare even when the key is unknown, so both answers take the same time.
    expected = session.token_hash if session is not None else "0" * 64
    if not hmac.compare_digest(expected, hash_token(session_token)) or session is None:
        raise InvalidClientTokenId()
    if session.is_expired(now):
        raise ExpiredToken()
    if session.revoked_at is not None and session.revoked_at <= now:
        raise InvalidClientTokenId()
    if session.is_role_session and (session.role is None
                                    or session.role.role_id != session.role_unique_id):
        raise InvalidClientTokenId()
    return session


def resolve_console_session(session_pk: int, *, source_arn: str,
                            now: datetime | None = None) -> RoleSession:
    """A console switch-role session kept in the browser session by its id.

    The console never holds the token; the row must be a console session
    issued to the signed-in principal, and is checked exactly like an API key.
    """
    now = now or _now()
    session = (RoleSession.objects.select_related("role", "account")
               .filter(pk=session_pk, is_console=True, source_arn=source_arn).first())
    if session is None:
        raise InvalidClientTokenId()
    if session.is_expired(now):
        raise ExpiredToken()
    if session.revoked_at is not None or session.role is None \
            or session.role.role_id != session.role_unique_id:
        raise InvalidClientTokenId()
    return session


def end_session(session: RoleSession, now: datetime | None = None) -> None:
    """Revoke one session at once (the console's "Back to <user>")."""
    RoleSession.objects.filter(pk=session.pk, revoked_at__isnull=True).update(
        revoked_at=now or _now())


# What GetSessionToken credentials may call (AWS: "Comparing the AWS STS API operations").
_SESSION_TOKEN_STS_ACTIONS = frozenset({"sts:assumerole", "sts:getcalleridentity"})


def check_credential_scope(session: RoleSession, action: str) -> None:
    """AWS's limits on GetSessionToken credentials, for the wire protocol to apply
    before it runs ``action``: IAM only when the session was MFA-authenticated
    (InvalidClientTokenId otherwise, as AWS answers), and of STS only AssumeRole
    and GetCallerIdentity. Role sessions have no such limit."""
    if session.is_role_session:
        return
    lowered = action.lower()
    if lowered.startswith("iam:") and not session.mfa_authenticated:
        raise InvalidClientTokenId()
    if lowered.startswith("sts:") and lowered not in _SESSION_TOKEN_STS_ACTIONS:
        name = action.partition(":")[2]
        raise AccessDenied(f"Cannot call {name} with session credentials", action=action,
                           principal_arn=session.source_arn)


def caller_for_session(session: RoleSession, *, via: str = "api", source_ip: str = "",
                       user_agent: str = "", secure_transport: bool = False, user=None,
                       access_key_id: str = "", request_id: str | None = None) -> Caller:
    """The Caller acting with ``session``'s credentials.

    A role session acts as ``arn:aws:sts::<role account>:assumed-role/<role>/<name>``
    in the role's account; ``user`` is the signed-in console user who switched
    role, if any (it plays no part in decisions). A session token acts as its
    user, with the session's MFA state and issue time. ``access_key_id`` is
    accepted for symmetry with long-term keys; the session's own is used.
    """
    extra = {"request_id": request_id} if request_id else {}
    common = dict(via=via, source_ip=source_ip, user_agent=user_agent,
                  secure_transport=secure_transport, access_key_id=session.access_key_id,
                  mfa_authenticated_at=session.mfa_authenticated_at, session=session, **extra)
    if session.is_role_session:
        return Caller(account_id=session.account_id, principal_arn=session.arn,
                      principal_type="AssumedRole", user=user, **common)
    owner = session.user
    return Caller(account_id=owner.account_id, principal_arn=owner.arn,
                  principal_type="Root" if owner.is_root else "IAMUser", user=owner, **common)


# What a session adds to decisions ----------------------------------------------------


def session_context_keys(session: RoleSession, now: datetime | None = None) -> dict[str, object]:
    """The context keys AWS puts in a request made with temporary credentials."""
    now = now or _now()
    keys: dict[str, object] = {
        "aws:TokenIssueTime": iso(session.issued_at),
        "aws:MultiFactorAuthPresent": "true" if session.mfa_authenticated else "false",
    }
    if session.mfa_authenticated and session.mfa_authenticated_at:
        age = max(0, int((now - session.mfa_authenticated_at).total_seconds()))
        keys["aws:MultiFactorAuthAge"] = str(age)
    if session.source_identity:
        keys["aws:SourceIdentity"] = session.source_identity
    if session.is_role_session:
        keys.update({
            "aws:userid": session.assumed_role_id,
            "aws:PrincipalArn": session.issued_role_arn,
            "aws:PrincipalAccount": session.account_id,
            "aws:PrincipalType": "AssumedRole",
            "sts:RoleSessionName": session.session_name,
        })
        role_tags = session.role.tags if session.role is not None else []
        # Session tags override the role's tags of the same key (AWS).
        for tag in _merge_tags(role_tags, session.tags):
            keys[f"aws:PrincipalTag/{tag['Key']}"] = tag["Value"]
        return keys
    owner = session.user
    keys["aws:PrincipalArn"] = owner.arn
    if owner.is_root:
        keys["aws:userid"] = owner.account_id
    else:
        keys["aws:userid"] = owner.user_id
        keys["aws:username"] = owner.name
        for tag in owner.tags or []:
            keys[f"aws:PrincipalTag/{tag['Key']}"] = tag["Value"]
    return keys


def _merge_tags(base: list[dict], override: list[dict]) -> list[dict]:
    merged = {tag["Key"].lower(): tag for tag in base or []}
    for tag in override or []:
        merged[tag["Key"].lower()] = tag
    return list(merged.values())


def session_policy_set(session: RoleSession) -> PolicySet:
    """The role's policies and boundary, narrowed by the session policies.

    Cached per session and per account policy generation, which every change
    to a role's policies bumps: one cheap query tells whether it is current.
    A session token's set is its user's, through the user's own cache.
    """
    if not session.is_role_session:
        owner = session.user
        if owner is None or owner.is_root:
            return policyset.EMPTY
        return policyset.for_caller(Caller.for_user(owner))
    if session.role_id is None:
        return policyset.EMPTY
    generation = (Account.objects.filter(pk=session.account_id)
                  .values_list("policy_generation", flat=True).first())
    key = ("session", session.pk, session.role_id, generation)
    cached = _get(key)
    if cached is not None:
        return cached
    role_set = selectors.load_role_policy_set(session.role)
    session_policies = _session_policies(session)
    result = PolicySet(identity=role_set.identity, boundary=role_set.boundary,
                       session=session_policies)
    _put(key, result)
    return result


def _session_policies(session: RoleSession) -> tuple:
    policies = []
    if session.policy:
        policies.append(compile_policy(session.policy, PolicyKind.SESSION,
                                       policy_id="session:inline", name="session policy"))
    if session.policy_arns:
        found = {arn: (name, document) for arn, name, document in _managed_documents(
            session.account_id, session.policy_arns)}
        for arn in session.policy_arns:
            name, document = found.get(arn, (arn, _NOTHING))
            policies.append(compile_policy(document, PolicyKind.SESSION, policy_id=arn, name=name))
    return tuple(policies)


def _managed_documents(account_id: str, arns: list[str]):
    """(arn, name, document) of the managed policies ``arns`` name, in one query."""
    rows = ManagedPolicy.objects.filter(account_id=account_id) | ManagedPolicy.objects.filter(
        account__isnull=True)
    wanted = set(arns)
    names = {arn.rsplit("/", 1)[-1] for arn in arns}
    for policy in rows.filter(name__in=names).only("account_id", "path", "name",
                                                   "default_document"):
        if policy.arn in wanted:
            yield policy.arn, policy.name, policy.default_document


def _get(key: tuple) -> PolicySet | None:
    return _cache.get(key)


def _put(key: tuple, value: PolicySet) -> None:
    _cache.put(key, value)


def clear_cache() -> None:
    _cache.clear()


# Revocation -------------------------------------------------------------------------

REVOKE_POLICY_NAME = "AWSRevokeOlderSessions"


def revocation_cutoff(revoked_at: datetime) -> datetime:
    """Issue times are whole seconds, so the cut-off is rounded *up* to the next
    whole second: every session issued before ``revoked_at`` is denied (with at
    most one second of sessions issued just after it denied too), never the
    other way round. A session issued at the cut-off itself is not denied
    (``DateLessThan``)."""
    cutoff = whole_seconds(revoked_at)
    return cutoff + timedelta(seconds=1) if cutoff < revoked_at else cutoff


def revocation_document(revoked_at: datetime) -> str:
    """The inline policy AWS's "Revoke active sessions" puts on a role."""
    cutoff = revocation_cutoff(revoked_at)
    return ('{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["*"],'
            '"Resource":["*"],"Condition":{"DateLessThan":{"aws:TokenIssueTime":"'
            + iso(cutoff) + '"}}}]}')


# Bookkeeping (Celery) -----------------------------------------------------------------


def mark_expired_sessions(now: datetime | None = None) -> int:
    """Mark every expired, unmarked session in one conditional UPDATE; return how many.

    Idempotent and safe with two workers at once: PostgreSQL re-checks the
    WHERE clause of a row another UPDATE just marked, and skips it.
    """
    now = now or _now()
    return (RoleSession.objects.filter(expires_at__lte=now, expired_marked_at__isnull=True)
            .update(expired_marked_at=now))


def delete_old_sessions(now: datetime | None = None, retention_days: int | None = None) -> int:
    """Delete sessions that expired more than the retention period ago; return how many."""
    now = now or _now()
    if retention_days is None:
        retention_days = getattr(settings, "IAM_SESSION_RETENTION_DAYS", 7)
    deleted, _ = RoleSession.objects.filter(
        expires_at__lt=now - timedelta(days=retention_days)).delete()
    return deleted
