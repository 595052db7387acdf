"""Load the AWS managed policy catalogue (policies/catalogue/) into the database.

Idempotent: an existing AWS managed policy of the same name is brought in line
with the catalogue (its one version replaced by the catalogue's default
version), so a later migration can call ``load`` again after the catalogue
changes. The reverse removes the catalogue's policies, their attachments and
any boundary that uses them.
"""

from django.db import migrations

from policies import catalogue


def load(apps, schema_editor):
    ManagedPolicy = apps.get_model("policies", "ManagedPolicy")
    PolicyVersion = apps.get_model("policies", "PolicyVersion")
    for entry in catalogue.entries():
        policy, _ = ManagedPolicy.objects.update_or_create(
            account=None,
            name=entry.name,
            defaults={
                "path": entry.path,
                "policy_id": entry.policy_id,
                "description": entry.description,
                "created_at": entry.created_at,
                "updated_at": entry.updated_at,
                "default_version_id": entry.default_version_id,
                "default_document": entry.document,
                "next_version_number": int(entry.default_version_id[1:]) + 1,
            },
        )
        PolicyVersion.objects.filter(policy=policy).delete()
        PolicyVersion.objects.create(policy=policy, version_id=entry.default_version_id,
                                     document=entry.document, is_default=True,
                                     created_at=entry.updated_at)


def unload(apps, schema_editor):
    ManagedPolicy = apps.get_model("policies", "ManagedPolicy")
    PermissionsBoundary = apps.get_model("policies", "PermissionsBoundary")
    names = [entry.name for entry in catalogue.entries()]
    # Boundaries protect their policy from deletion; versions and attachments cascade.
    PermissionsBoundary.objects.filter(policy__account__isnull=True,
                                       policy__name__in=names).delete()
    ManagedPolicy.objects.filter(account__isnull=True, name__in=names).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("policies", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(load, unload),
    ]
