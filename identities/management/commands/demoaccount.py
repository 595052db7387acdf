"""``manage.py demoaccount``: the embedded run's demo account, made once and printed each time."""

from __future__ import annotations

import json
import os

from django.conf import settings
from django.core.management.base import BaseCommand

from identities import bootstrap, services
from identities.models import Account

DEMO_ACCOUNT_ID = "123456789012"
DEMO_ALIAS = "demo"
DEMO_EMAIL = "root@demo.example"
DEMO_ADMIN = "admin"


class Command(BaseCommand):
    help = "Create the demo account on first use and print its sign-in details."

    def add_arguments(self, parser):
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")

    def handle(self, *args, **options):
        details_path = settings.VAR_DIR / "demo.json"
        details = self._load(details_path)
        if details is None or not Account.objects.filter(pk=details["account_id"]).exists():
            details = self._create(details_path)
        base = options["base_url"].rstrip("/")
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Demo account"))
        self.stdout.write(f"  Console:        {base}/signin")
        self.stdout.write(f"  Root user:      {details['root_email']}")
        self.stdout.write(f"  Root password:  {details['root_password']}")
        self.stdout.write(f"  IAM sign-in:    {base}/signin/{details['account_alias']}/")
        if details.get("admin_user"):
            self.stdout.write(f"  Admin user:     {details['admin_user']} / {details['admin_password']}"
                              "  (AdministratorAccess)")
        self.stdout.write("")

    def _load(self, path):
        if not path.exists():
            return None
        return json.loads(path.read_text())

    def _create(self, path) -> dict:
        created = services.create_account(
            email=DEMO_EMAIL, account_id=DEMO_ACCOUNT_ID, alias=DEMO_ALIAS, name="Demo",
        ) if not Account.objects.filter(pk=DEMO_ACCOUNT_ID).exists() else None
        if created is None:
            # The account exists but its details were lost: give it a new root password.
            account = Account.objects.get(pk=DEMO_ACCOUNT_ID)
            root = account.users.get(kind="root")
            password = services.root_password()
            root.set_password(password)
            root.save(update_fields=["password"])
            details = {"account_id": account.id, "account_alias": account.alias or account.id,
                       "root_email": root.email, "root_password": password}
        else:
            admin = bootstrap.create_admin_user(created.account, DEMO_ADMIN)
            details = {"account_id": created.account.id, "account_alias": created.account.alias,
                       "root_email": created.root.email, "root_password": created.root_password,
                       "admin_user": admin.user_name, "admin_password": admin.password}
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(details, handle)
        return details
