"""Access reports: Event history and Credential report, under /iam/ like the console."""

from django.urls import path

from audit import views

app_name = "audit"

urlpatterns = [
    path("iam/event-history/", views.event_list, name="event-list"),
    path("iam/event-history/export/", views.event_export, name="event-export"),
    path("iam/event-history/<uuid:event_id>/", views.event_detail, name="event-detail"),
    path("iam/credential-report/", views.credential_report, name="credential-report"),
    path("iam/credential-report/generate/", views.credential_report_generate,
         name="credential-report-generate"),
    path("iam/credential-report/download/", views.credential_report_download,
         name="credential-report-download"),
]
