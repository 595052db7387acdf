"""The policy simulator page: pick a principal or paste policies, pick actions,
resources and context values, and see each decision with its statements.

GET shows the form; ``?principal=<arn>&action=...&resource=...`` (the access
denied page's "why" link) fills it in and runs it. POST runs it (``do=run``)
or only lists the context keys the chosen policies use (``do=keys``). A
refused run is the ordinary access-denied page; any other error of the
operations (a malformed policy, a principal that does not exist) is shown
above the form so that the input can be corrected in place.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.shortcuts import render

from core.errors import AccessDenied, IamError
from core.http import ConsoleRequest
from policies import simulator_page as page
from policies.engine import catalog
from policies.simulation import SimulationResult
from policies.simulator_documents import Evidence, NearMiss, PolicyDoc, evidence
from policies.simulator_forms import VALUE_TYPES, SimulatorForm, deep_link_data

DECISIONS = {"allowed": "Allowed", "explicitDeny": "Denied (explicit)",
             "implicitDeny": "Denied (implicit)"}
EXPANDED_ROWS = 4  # more results than this start collapsed


@dataclass
class ResultRow:
    number: int
    result: SimulationResult
    service: str
    action: str
    level: str
    decision: str
    deciding: list[tuple[str, str]]  # (policy name, statement label)
    evidence: list[Evidence]
    near: list[NearMiss]


def _statement_label(sid: str | None, index: int) -> str:
    return sid or f"Statement {index + 1}"


def _rows(run: page.SimulationRun) -> list[ResultRow]:
    docs: dict[str, PolicyDoc] = {d.policy_id: d for d in run.documents}
    rows = []
    for number, result in enumerate(run.results, start=1):
        service, _, action = result.eval_action_name.partition(":")
        shown, near = evidence(result, run.documents)
        deciding = [(docs[ref.policy_id].name if ref.policy_id in docs else ref.policy_name,
                     _statement_label(ref.sid, ref.index)) for ref in result.deciding_statements]
        rows.append(ResultRow(number, result, service.upper(), action,
                              catalog.access_level(result.eval_action_name)
                              if catalog.is_known_action(result.eval_action_name) else "-",
                              DECISIONS[result.eval_decision], deciding, shown, near))
    return rows


def _bind(request: ConsoleRequest, choices: page.Choices) -> tuple[SimulatorForm, str]:
    """The form for this request and what to do with it ("run", "keys" or "")."""
    if request.method == "POST":
        do = "keys" if request.POST.get("do") == "keys" else "run"
        return SimulatorForm(request.POST, require_actions=do == "run"), do
    data = deep_link_data(request.GET)
    if data is None:
        return SimulatorForm(initial={"mode": "principal", "resources": "*"}), ""
    arn = page.principal_arn_of(request.caller, data["principal_arn"])
    listed = {p.arn for section in (choices.users, choices.groups, choices.roles)
              for p in section.rows}
    data["principal_arn"], data["principal"] = ("", arn) if arn in listed else (arn, "")
    if not data.getlist("actions") and not data["other_actions"]:
        return SimulatorForm(initial=data.dict()), ""
    return SimulatorForm(data), "run"


def simulator(request: ConsoleRequest):
    caller = request.caller
    choices = page.simulator_choices(caller)
    form, do = _bind(request, choices)
    run = keys = None
    error = ""
    if do and form.is_valid():
        inputs = form.inputs()
        try:
            if do == "run":
                run = page.run_simulation(caller, inputs)
            keys = page.context_keys(caller, inputs, run.documents if run else None)
        except AccessDenied:
            raise
        except IamError as failure:
            error = failure.message
    chosen = (form["principal_arn"].value() or form["principal"].value() or "").strip()
    checked = set(form["actions"].value() or [])
    rows = _rows(run) if run else []
    return render(request, "policies/simulator.html", {
        "form": form, "choices": choices, "pick_limit": page.PICK_LIMIT, "chosen": chosen,
        "action_groups": _action_groups(checked), "checked": checked, "run": run, "rows": rows,
        "expand": len(rows) <= EXPANDED_ROWS, "keys": keys, "error": error,
        "context_rows": page.context_table(keys, form.context_rows,
                                           run.missing_keys if run else []),
        "value_types": VALUE_TYPES, "mode": form["mode"].value() or "principal",
        "counts": _counts(rows),
    })


def _action_groups(checked: set[str]) -> list[dict]:
    """The catalogue with the access levels that hold a chosen action open."""
    return [{**group, "levels": [{**level, "open": bool(checked & set(level["actions"]))}
                                 for level in group["levels"]]}
            for group in page.action_groups()]


def _counts(rows: list[ResultRow]) -> dict[str, int]:
    counts = {"allowed": 0, "explicitDeny": 0, "implicitDeny": 0}
    for row in rows:
        counts[row.result.eval_decision] += 1
    return counts
