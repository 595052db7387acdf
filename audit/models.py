"""The event history: one record per decision and change."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class Event(models.Model):
    """What happened, who did it, from where, and whether it was allowed.

    Never holds a secret: parameters are redacted before they are stored.
    """

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
    request_id = models.CharField(max_length=64, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["account_id", "-time", "-id"], name="event_account_time"),
        ]
        ordering = ["-time", "-id"]

    def __str__(self) -> str:
        return f"{self.time:%Y-%m-%d %H:%M:%S} {self.action} {self.outcome}"
