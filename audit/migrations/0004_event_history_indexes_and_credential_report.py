"""Unique event ids, the indexes the event history filters need, and the
credential report.

The JSON containment index for the "Resource" filter exists on PostgreSQL
only (GIN); other databases filter resources without an index.
"""

import uuid

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

GIN = "event_resources_gin"


def create_resources_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {GIN} ON audit_event "
                              "USING gin (resources jsonb_path_ops)")


def drop_resources_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {GIN}")


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0003_fill_event_ids"),
        ("identities", "0003_session_controls"),
    ]

    operations = [
        migrations.AlterField(
            model_name="event",
            name="event_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(fields=["account_id", "principal_arn", "-time", "-id"],
                               name="event_account_principal"),
        ),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(fields=["account_id", "action", "-time", "-id"],
                               name="event_account_action"),
        ),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(condition=models.Q(("outcome", "Success"), _negated=True),
                               fields=["account_id", "-time", "-id"],
                               name="event_account_failures"),
        ),
        migrations.RunPython(create_resources_index, drop_resources_index),
        migrations.CreateModel(
            name="CredentialReport",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("state", models.CharField(choices=[("STARTED", "Started"),
                                                    ("INPROGRESS", "Inprogress"),
                                                    ("COMPLETE", "Complete")],
                                           default="STARTED", max_length=10)),
                ("requested_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("generated_at", models.DateTimeField(blank=True, null=True)),
                ("content", models.TextField(blank=True)),
                ("account", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE,
                                                 related_name="credential_report",
                                                 to="identities.account")),
            ],
        ),
    ]
