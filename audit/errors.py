"""The credential report's errors, with AWS's codes and HTTP statuses.

From the IAM API reference for GetCredentialReport (and botocore's model):
ReportNotPresent 410, ReportExpired 410, ReportInProgress 404, all sender faults.
"""

from __future__ import annotations

from core.errors import IamError


class _ReportError(IamError):
    sender_fault = True


class ReportNotPresent(_ReportError):
    """No report exists for the account yet (CredentialReportNotPresentException)."""

    code = "ReportNotPresent"
    status = 410


class ReportExpired(_ReportError):
    """The latest report is older than four hours (CredentialReportExpiredException)."""

    code = "ReportExpired"
    status = 410


class ReportInProgress(_ReportError):
    """The report is still being generated (CredentialReportNotReadyException)."""

    code = "ReportInProgress"
    status = 404
