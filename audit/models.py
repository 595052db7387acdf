"""The event history (one record per decision and change) and the credential report."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone


class Event(models.Model):
    """What happened, who did it, from where, and whether it was allowed.

    Never holds a secret: parameters are redacted before they are stored.
    Lists read it newest first by keyset on ``(time, id)``; every index leads
    with ``account_id`` because every read is scoped to one account. There is
    deliberately no index on ``time`` alone: the planner would pick it for
    pages (filtering accounts row by row and sorting ties) over the account's
    own index, and retention does without it (``audit.services``).
    """

    # CloudTrail's EventId: what pages and records show, never the database key.
    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    time = models.DateTimeField(default=timezone.now)
    account_id = models.CharField(max_length=12, blank=True)
    principal_arn = models.CharField(max_length=2048, blank=True)
    principal_type = models.CharField(max_length=32, blank=True)
    access_key_id = models.CharField(max_length=32, blank=True)
    action = models.CharField(max_length=128)
    resources = models.JSONField(default=list)
    source_ip = models.CharField(max_length=64, blank=True)
    user_agent = models.CharField(max_length=512, blank=True)
    via = models.CharField(max_length=16)
    outcome = models.CharField(max_length=64)  # "Success" or an AWS error code
    error_message = models.TextField(blank=True)
    parameters = models.JSONField(default=dict)
    request_id = models.CharField(blank=True, max_length=64)

    SUCCESS = "Success"

    class Meta:
        indexes = [
            # The first page, time ranges, and the retention sweep (per account).
            models.Index(fields=["account_id", "-time", "-id"], name="event_account_time"),
            # "Principal" filter and Access Advisor's last-used lookups.
            models.Index(fields=["account_id", "principal_arn", "-time", "-id"],
                         name="event_account_principal"),
            # "Action" filter.
            models.Index(fields=["account_id", "action", "-time", "-id"],
                         name="event_account_action"),
            # "Failures only": failures are rare, so a partial index stays small.
            models.Index(fields=["account_id", "-time", "-id"],
                         condition=~models.Q(outcome="Success"),
                         name="event_account_failures"),
        ]
        ordering = ["-time", "-id"]

    def __str__(self) -> str:
        return f"{self.time:%Y-%m-%d %H:%M:%S} {self.action} {self.outcome}"

    @property
    def succeeded(self) -> bool:
        return self.outcome == self.SUCCESS


class CredentialReport(models.Model):
    """An account's latest credential report (AWS keeps one per account).

    ``state`` follows GenerateCredentialReport's ReportStateType; ``requested_at``
    lets a report whose worker died be started again instead of staying
    "in progress" for ever.
    """

    class State(models.TextChoices):
        STARTED = "STARTED"
        INPROGRESS = "INPROGRESS"
        COMPLETE = "COMPLETE"

    account = models.OneToOneField("identities.Account", on_delete=models.CASCADE,
                                   related_name="credential_report")
    state = models.CharField(max_length=10, choices=State.choices, default=State.STARTED)
    requested_at = models.DateTimeField(default=timezone.now)
    generated_at = models.DateTimeField(null=True, blank=True)
    content = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"credential report {self.account_id} {self.state}"
