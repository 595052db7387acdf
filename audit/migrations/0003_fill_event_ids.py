"""Give every event recorded before event ids existed its own id."""

import uuid

from django.db import migrations

BATCH = 5000


def fill_event_ids(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # One statement; gen_random_uuid() is built in from PostgreSQL 13.
        schema_editor.execute("UPDATE audit_event SET event_id = gen_random_uuid() "
                              "WHERE event_id IS NULL")
        return
    Event = apps.get_model("audit", "Event")
    while True:
        pks = list(Event.objects.filter(event_id__isnull=True)
                   .values_list("pk", flat=True)[:BATCH])
        if not pks:
            return
        for pk in pks:
            Event.objects.filter(pk=pk).update(event_id=uuid.uuid4())


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0002_event_id"),
    ]

    operations = [
        # Backwards there is nothing to undo: the column itself goes in 0002's reverse.
        migrations.RunPython(fill_event_ids, migrations.RunPython.noop),
    ]
