"""The policy simulator's form: the shape of what the page posts.

The content (is the policy valid, does the principal exist, may the caller
simulate it) is judged by the operations in ``policies.simulation``; this
module only turns the posted fields into their arguments. Context values are
checked against their declared type here, because a value that is not a
number cannot mean anything to a Numeric condition and the person typing it
should hear so next to the field, not as a silent non-match.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from dataclasses import dataclass, field
from datetime import datetime

from django import forms
from django.http import QueryDict

from policies.engine import catalog

MODES = (("principal", "An IAM user, group or role"), ("custom", "Custom policies"))
VALUE_TYPES = (
    ("string", "String"), ("stringList", "String list"),
    ("numeric", "Numeric"), ("numericList", "Numeric list"),
    ("boolean", "Boolean"), ("booleanList", "Boolean list"),
    ("ip", "IP address"), ("ipList", "IP address list"),
    ("date", "Date"), ("dateList", "Date list"),
    ("binary", "Binary"), ("binaryList", "Binary list"),
)
CUSTOM_POLICY_FIELDS = ("policy_1", "policy_2", "policy_3")
MAX_ACTIONS = 100
MAX_RESOURCES = 20
MAX_CONTEXT_ROWS = 40
_ACTION = re.compile(r"^[A-Za-z0-9-]{1,64}:[A-Za-z0-9*?]{1,128}$")
_SPLIT = re.compile(r"[\s,]+")


def _document(label: str) -> forms.CharField:
    return forms.CharField(label=label, required=False, max_length=131072, strip=False,
                           widget=forms.Textarea(attrs={
                               "class": "form-control policy-editor sim-policy", "rows": 8,
                               "spellcheck": "false"}))


@dataclass
class ContextRow:
    """One context key as the page shows it: name, declared type, typed text, error."""

    name: str
    value_type: str = "string"
    value: str = ""
    error: str = ""
    used_by_policies: bool = False
    missing: bool = False
    from_principal: bool = False

    def entry(self) -> dict | None:
        """AWS's ContextEntry for this row, or None when no value was given."""
        if not self.value.strip():
            return None
        return {"ContextKeyName": self.name, "ContextKeyType": self.value_type,
                "ContextKeyValues": _values(self.value, self.value_type)}


@dataclass
class SimulationInputs:
    """Everything one run needs, in the operations' terms."""

    mode: str
    principal_arn: str = ""
    policies: list[str] = field(default_factory=list)
    boundary: str = ""
    resource_policy: str = ""
    trust_role: str = ""
    caller_arn: str = ""
    session_policy: str = ""
    actions: list[str] = field(default_factory=list)
    resources: list[str] = field(default_factory=list)
    context: list[ContextRow] = field(default_factory=list)

    @property
    def context_entries(self) -> list[dict]:
        return [entry for row in self.context if (entry := row.entry()) is not None]


class SimulatorForm(forms.Form):
    mode = forms.ChoiceField(choices=MODES, initial="principal", widget=forms.RadioSelect)
    principal = forms.CharField(required=False, max_length=2048)
    principal_arn = forms.CharField(required=False, max_length=2048, label="Or enter an ARN")
    policy_1 = _document("Identity-based policy 1")
    policy_2 = _document("Identity-based policy 2")
    policy_3 = _document("Identity-based policy 3")
    boundary = _document("Permissions boundary")
    resource_policy = _document("Resource-based policy")
    trust_role = forms.CharField(required=False, max_length=64)
    caller_arn = forms.CharField(required=False, max_length=2048, label="Caller ARN")
    session_policy = _document("Session policy")
    actions = forms.MultipleChoiceField(required=False, choices=())
    other_actions = forms.CharField(required=False, max_length=4000, label="Other actions")
    resources = forms.CharField(required=False, max_length=40000, label="Resources",
                                widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}))

    def __init__(self, *args, require_actions: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.require_actions = require_actions
        self.fields["actions"].choices = [(a, a) for a in catalog.all_actions()]
        self.context_rows: list[ContextRow] = context_rows(self.data) if self.is_bound else []

    def clean_other_actions(self) -> list[str]:
        names = [n for n in _SPLIT.split(self.cleaned_data["other_actions"]) if n]
        bad = [n for n in names if not _ACTION.match(n)]
        if bad:
            raise forms.ValidationError(
                f"{', '.join(bad[:3])}: type actions as service:Action, such as s3:GetObject.")
        return names

    def clean_resources(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["resources"].splitlines()]
        resources = list(dict.fromkeys(line for line in lines if line))
        if len(resources) > MAX_RESOURCES:
            raise forms.ValidationError(f"Simulate at most {MAX_RESOURCES} resources at a time.")
        return resources or ["*"]

    def clean(self):
        data = super().clean()
        actions = list(dict.fromkeys(data.get("actions", []) + data.get("other_actions", [])))
        if self.require_actions and not actions and "other_actions" not in self.errors:
            self.add_error("actions", "Select at least one action to simulate.")
        if len(actions) > MAX_ACTIONS:
            self.add_error("actions", f"Simulate at most {MAX_ACTIONS} actions at a time.")
        data["all_actions"] = actions
        if data.get("mode") == "principal" and not self.principal_choice():
            self.add_error("principal", "Choose a user, group or role, or enter its ARN.")
        policies = [data.get(name, "") for name in CUSTOM_POLICY_FIELDS]
        if data.get("mode") == "custom" and not any(p.strip() for p in policies):
            self.add_error("policy_1", "Enter at least one identity-based policy.")
        if any(row.error for row in self.context_rows):
            self.add_error(None, "Some context values do not match their type.")
        return data

    def principal_choice(self) -> str:
        typed = (self.cleaned_data.get("principal_arn") or "").strip()
        return typed or (self.cleaned_data.get("principal") or "").strip()

    def inputs(self) -> SimulationInputs:
        data = self.cleaned_data
        custom = data["mode"] == "custom"
        return SimulationInputs(
            mode=data["mode"],
            principal_arn="" if custom else self.principal_choice(),
            policies=[data[n] for n in CUSTOM_POLICY_FIELDS if data[n].strip()] if custom else [],
            boundary=_given(data["boundary"]),
            resource_policy=_given(data["resource_policy"]),
            trust_role=data["trust_role"].strip(),
            caller_arn=data["caller_arn"].strip() if custom else "",
            session_policy=_given(data["session_policy"]),
            actions=data["all_actions"],
            resources=data["resources"],
            context=self.context_rows,
        )


def _given(text: str) -> str:
    """A document as typed (whitespace is part of it), or "" for a blank field."""
    return text if text.strip() else ""


def deep_link_data(query: QueryDict) -> QueryDict | None:
    """Form data for ``?principal=<arn>&action=...&resource=...`` (the "why was I
    denied" link), or None when the link names no principal."""
    principal = query.get("principal", "").strip()
    if not principal:
        return None
    data = QueryDict(mutable=True)
    data["mode"] = "principal"
    data["principal_arn"] = principal
    known, other = [], []
    for action in query.getlist("action"):
        name = catalog.canonical_name(action.strip())
        (known if name else other).append(name or action.strip())
    data.setlist("actions", known)
    data["other_actions"] = " ".join(other)
    data["resources"] = "\n".join(r.strip() for r in query.getlist("resource") if r.strip())
    return data


def context_rows(data: QueryDict) -> list[ContextRow]:
    """The context table's rows as posted (``ctx_name``, ``ctx_type``, ``ctx_value`` lists)."""
    names, types, values = (data.getlist(k) for k in ("ctx_name", "ctx_type", "ctx_value"))
    rows: list[ContextRow] = []
    seen: set[str] = set()
    for index, name in enumerate(names[:MAX_CONTEXT_ROWS]):
        name = name.strip()
        value_type = types[index] if index < len(types) else "string"
        value = values[index] if index < len(values) else ""
        if not name or name.lower() in seen:
            continue
        seen.add(name.lower())
        row = ContextRow(name=name[:256], value_type=value_type, value=value[:4000])
        row.error = _type_error(row)
        rows.append(row)
    return rows


def _values(text: str, value_type: str) -> list[str]:
    if value_type.endswith("List"):
        return [v.strip() for v in re.split(r"[,\n]", text) if v.strip()]
    return [text.strip()]


def _type_error(row: ContextRow) -> str:
    if ":" not in row.name or len(row.name) < 5:
        return "Use a full key name, such as aws:SourceIp."
    if row.value_type not in dict(VALUE_TYPES):
        return "Choose a value type."
    base = row.value_type.removesuffix("List")
    for value in (_values(row.value, row.value_type) if row.value.strip() else []):
        if not _CHECKS[base](value):
            return _HINTS[base].format(value=value)
    return ""


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def _is_date(value: str) -> bool:
    if value.isdigit():
        return True
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        return False
    return True


def _is_base64(value: str) -> bool:
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


_CHECKS = {"string": lambda v: True, "numeric": _is_number, "date": _is_date,
           "boolean": lambda v: v.lower() in ("true", "false"), "ip": _is_ip,
           "binary": _is_base64}
_HINTS = {"numeric": "{value} is not a number.",
          "date": "{value} is not a date: use 2025-01-31T12:00:00Z or epoch seconds.",
          "boolean": "{value} is not true or false.",
          "ip": "{value} is not an IP address or CIDR range.",
          "binary": "{value} is not base64."}
