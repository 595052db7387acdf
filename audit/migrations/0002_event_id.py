# Adding a unique column to a table that already has rows takes three steps
# (Django's "Migrations that add unique fields"): nullable, filled, then unique.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="event",
            name="event_id",
            field=models.UUIDField(editable=False, null=True),
        ),
    ]
