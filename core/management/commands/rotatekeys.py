"""``manage.py rotatekeys``: re-encrypt every secret at rest with the primary key.

Rotate by putting a new key first in ``IAM_ENCRYPTION_KEYS`` (keeping the old
ones after it), running this command, then removing the old keys once it
reports nothing left under them. Values decrypt with any listed key while it
runs, so the service keeps working throughout.
"""

from __future__ import annotations

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from core import crypto

# (model label, ciphertext field, decrypted property/setter pair)
ENCRYPTED = [
    ("identities.AccessKey", "encrypted_secret", "secret", "set_secret"),
    ("identities.MFADevice", "encrypted_seed", "seed", "set_seed"),
    ("sts.RoleSession", "encrypted_secret", "secret", "set_secret"),
]


class Command(BaseCommand):
    help = "Re-encrypt access-key secrets, temporary secrets and TOTP seeds with the primary key."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, **options):
        primary, _ = crypto._keys()
        for label, field, getter, setter in ENCRYPTED:
            try:
                model = apps.get_model(label)
            except LookupError:
                continue
            if not hasattr(model, setter):
                continue
            rotated = failed = 0
            stale = model.objects.exclude(**{f"{field}__startswith": f"{primary}:"}).order_by("pk")
            for pk in list(stale.values_list("pk", flat=True)):
                with transaction.atomic():
                    row = model.objects.select_for_update().get(pk=pk)
                    try:
                        value = getattr(row, getter)
                    except crypto.DecryptionFailed:
                        failed += 1
                        continue
                    getattr(row, setter)(value)
                    row.save(update_fields=[field])
                    rotated += 1
            left = model.objects.exclude(**{f"{field}__startswith": f"{primary}:"}).count()
            self.stdout.write(f"{label}: re-encrypted {rotated}, undecryptable {failed}, "
                              f"left under old keys {left}")
