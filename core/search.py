"""Console-wide search: the caller's users, groups, roles and policies, and the
console's own pages.

An entity kind is searched only when the caller may list it (iam:ListUsers,
ListGroups, ListRoles, ListPolicies, on the resources the list pages
authorize); a refused kind is left out rather than failing the search, as the
AWS console's search leaves out what it cannot read. Each kind is one query,
whatever the account holds, and another account's entities are never
candidates. Pages need no permission to be found: opening one authorizes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db.models import Case, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Lower
from django.urls import NoReverseMatch, reverse

from audit.recording import record
from core.caller import Caller
from core.errors import AccessDenied
from identities.models import AccessKey, Group, Role, User
from policies.authz import authorize
from policies.selectors import visible_policies

MAX_QUERY = 256
# (title, url name, what it is for, words people use for it)
PAGES = (
    ("Dashboard", "identities:dashboard", "Security recommendations and resource counts",
     "home overview summary start"),
    ("Users", "identities:user-list", "IAM users of this account", "people identities"),
    ("Create user", "identities:user-create", "Add an IAM user", "new add"),
    ("User groups", "identities:group-list", "Groups of IAM users", "teams"),
    ("Create user group", "identities:group-create", "Add a user group", "new add groups"),
    ("Roles", "identities:role-list", "Roles that users, services and accounts assume",
     "trust assume"),
    ("Policies", "policies:policy-list", "AWS managed and customer managed policies",
     "permissions json managed"),
    ("Create policy", "policies:policy-create", "Write a policy in the JSON editor",
     "new add json editor permissions"),
    ("Account settings", "identities:account-settings", "Password policy and account alias",
     "password policy complexity length rotation expiry alias"),
    ("Security credentials", "identities:security-credentials",
     "Your password, MFA devices and access keys", "my own access keys mfa password change rotate"),
    ("Assign MFA device", "identities:mfa-assign", "Set up a virtual MFA device for yourself",
     "mfa authenticator totp two factor"),
    ("Switch role", "sts:switch-role", "Act in a role of this or another account",
     "assume role"),
    ("Credential report", "audit:credential-report", "Every user's credentials and their age",
     "report csv keys passwords"),
    ("Event history", "audit:event-list", "Every action taken and refused",
     "events audit log trail cloudtrail history"),
    ("Policy simulator", "policies:simulator", "Test what a principal or policy allows",
     "simulate test why denied access"),
)
_ARN = re.compile(r"^arn:aws:iam::(?P<account>[0-9]{0,12}|aws)?:(?P<kind>user|group|role|policy)"
                  r"(?P<rest>/.*)?$", re.IGNORECASE)
_UNIQUE_ID = re.compile(r"^A[A-Z0-9]{5,}$")


@dataclass(frozen=True)
class Hit:
    kind: str
    title: str
    detail: str
    url: str | None
    matched: str = ""  # why it matched, when it is not the name


@dataclass
class Found:
    """One kind's hits (``limit`` of them; ``more`` when there were others)."""

    title: str
    hits: list[Hit]
    more: bool = False


@dataclass
class SearchResults:
    query: str
    pages: list[Hit] = field(default_factory=list)
    entities: list[Found] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.pages) + sum(len(found.hits) for found in self.entities)


@dataclass(frozen=True)
class _Terms:
    """The query as each kind reads it."""

    text: str
    upper: str
    arn_kind: str | None = None
    arn_account: str = ""
    arn_path: str = ""
    arn_name: str = ""

    @classmethod
    def of(cls, query: str) -> _Terms:
        match = _ARN.match(query)
        if match is None:
            return cls(query, query.upper())
        rest = match["rest"] or "/"
        path, _, name = rest.rpartition("/")
        return cls(query, query.upper(), match["kind"].lower(), (match["account"] or "").lower(),
                   path + "/", name)

    def id_prefix(self, prefix: str) -> str | None:
        """The query as the start of a unique id such as AIDA..., if it is one."""
        if self.upper.startswith(prefix) and _UNIQUE_ID.match(self.upper):
            return self.upper
        return None


def _url(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def search_pages(query: str, limit: int) -> list[Hit]:
    """Console pages whose title or usual words start with every word of ``query``."""
    words = query.lower().split()
    if not words:
        return []
    ranked = []
    for order, (title, url_name, about, keywords) in enumerate(PAGES):
        vocabulary = f"{title} {about} {keywords}".lower().replace(",", " ").split()
        if not all(any(v.startswith(w) for v in vocabulary) for w in words):
            continue
        url = _url(url_name)
        if url is None:
            continue  # a page a later release adds
        in_title = sum(any(v.startswith(w) for v in title.lower().split()) for w in words)
        ranked.append((-in_title, order, Hit("Page", title, about, url)))
    return [hit for *_, hit in sorted(ranked, key=lambda item: item[:2])[:limit]]


def _allowed(caller: Caller, action: str, resource: str, refused: list[str], label: str,
             record_refusal: bool) -> bool:
    try:
        authorize(caller, action, resource)
    except AccessDenied as denied:
        refused.append(label)
        if record_refusal:
            record(caller, action, outcome=denied.code, resources=[resource],
                   error_message=denied.message)
        return False
    return True


def _ordered(rows, terms: _Terms, limit: int):
    exact = Case(When(name__iexact=terms.text, then=Value(0)), default=Value(1),
                 output_field=IntegerField())
    return list(rows.annotate(exact=exact).order_by("exact", Lower("name"), "pk")[:limit + 1])


def _name_or_arn(terms: _Terms, kind: str, account_id: str) -> Q | None:
    """How rows of ``kind`` match: by name, or by the ARN typed so far."""
    if terms.arn_kind is None:
        return Q(name__icontains=terms.text)
    if terms.arn_kind != kind or terms.arn_account not in ("", account_id):
        return None
    by_arn = Q(path__istartswith=terms.arn_path)
    return by_arn & Q(name__istartswith=terms.arn_name) if terms.arn_name else by_arn


def _users(account_id: str, terms: _Terms, limit: int) -> Found:
    rows = User.objects.filter(account_id=account_id, kind=User.Kind.IAM)
    match = _name_or_arn(terms, "user", account_id) or Q(pk__in=[])
    if user_id := terms.id_prefix("AIDA"):
        match |= Q(user_id__startswith=user_id)
    key_prefix = terms.id_prefix("AKIA") or terms.id_prefix("ASIA")
    if key_prefix:
        keys = AccessKey.objects.filter(user=OuterRef("pk"), access_key_id__startswith=key_prefix)
        rows = rows.annotate(matched_key=Subquery(keys.values("access_key_id")[:1]))
        match |= Q(matched_key__isnull=False)
    found = _ordered(rows.filter(match), terms, limit)
    hits = [Hit("User", u.name, u.arn, _url("identities:user-detail", u.name),
                f"Access key {u.matched_key}" if getattr(u, "matched_key", None) else
                f"Unique ID {u.user_id}" if terms.upper == u.user_id[:len(terms.upper)] else "")
            for u in found[:limit]]
    return Found("Users", hits, len(found) > limit)


def _entities(model, kind: str, title: str, id_field: str, prefix: str, url_name: str,
              account_id: str, terms: _Terms, limit: int) -> Found:
    match = _name_or_arn(terms, kind, account_id) or Q(pk__in=[])
    if unique := terms.id_prefix(prefix):
        match |= Q(**{f"{id_field}__startswith": unique})
    found = _ordered(model.objects.filter(Q(account_id=account_id) & match), terms, limit)
    label = {"group": "User group", "role": "Role"}[kind]
    hits = [Hit(label, row.name, row.arn, _url(url_name, row.name),
                f"Unique ID {getattr(row, id_field)}" if unique else "") for row in found[:limit]]
    return Found(title, hits, len(found) > limit)


def _policies(account_id: str, terms: _Terms, limit: int) -> Found:
    if terms.arn_kind is None:
        match = Q(name__icontains=terms.text)
    elif terms.arn_kind != "policy" or terms.arn_account not in ("", "aws", account_id):
        match = Q(pk__in=[])
    else:
        owner = (Q(account__isnull=True) if terms.arn_account == "aws" else
                 Q(account_id=account_id) if terms.arn_account else Q())
        match = owner & Q(path__istartswith=terms.arn_path, name__istartswith=terms.arn_name)
    if unique := terms.id_prefix("ANPA"):
        match |= Q(policy_id__startswith=unique)
    found = _ordered(visible_policies(account_id).filter(match), terms, limit)
    hits = [Hit("AWS managed policy" if p.account_id is None else "Customer managed policy",
                p.name, p.arn, _url("policies:policy-detail", p.arn),
                f"Policy ID {p.policy_id}" if unique else "")
            for p in found[:limit]]
    return Found("Policies", hits, len(found) > limit)


def search(caller: Caller, query: str, *, limit: int = 5,
           record_refusals: bool = False) -> SearchResults:
    """Pages and the entities ``caller`` may list that match ``query``.

    Always takes the four list decisions, so the console's gate sees a
    decision even for an empty query. ``record_refusals`` writes refused
    kinds to the event history (the results page does; the type-ahead, which
    asks on every pause in typing, does not, so as not to flood it).
    """
    query = query.strip()[:MAX_QUERY]
    account = caller.account_id
    results = SearchResults(query=query, pages=search_pages(query, limit))
    terms = _Terms.of(query)
    kinds = (
        ("iam:ListUsers", f"arn:aws:iam::{account}:user/", "users",
         lambda: _users(account, terms, limit)),
        ("iam:ListGroups", f"arn:aws:iam::{account}:group/", "user groups",
         lambda: _entities(Group, "group", "User groups", "group_id", "AGPA",
                           "identities:group-detail", account, terms, limit)),
        ("iam:ListRoles", f"arn:aws:iam::{account}:role/", "roles",
         lambda: _entities(Role, "role", "Roles", "role_id", "AROA", "identities:role-detail",
                           account, terms, limit)),
        ("iam:ListPolicies", "*", "policies", lambda: _policies(account, terms, limit)),
    )
    for action, resource, label, run in kinds:
        if _allowed(caller, action, resource, results.refused, label, record_refusals) and query:
            found = run()
            if found.hits:
                results.entities.append(found)
    return results
