"""``manage.py createaccount``: an account and its root user, for people and scripts."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from core.errors import IamError
from django.db import transaction

from identities import bootstrap, services


class Command(BaseCommand):
    help = "Create an account with its root user and print how to sign in."

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True, help="the root user's email")
        parser.add_argument("--password", help="the root password (generated when omitted)")
        parser.add_argument("--account-id", help="a 12-digit account id (random when omitted)")
        parser.add_argument("--alias", help="an account alias for the sign-in URL")
        parser.add_argument("--name", default="", help="the account name")
        parser.add_argument("--base-url", default="http://127.0.0.1:8000",
                            help="where the console is served, for the printed URLs")
        parser.add_argument("--admin-user", metavar="NAME",
                            help="also create an IAM user with AdministratorAccess and a console password")
        parser.add_argument("--admin-password", help="that user's password (generated when omitted)")
        parser.add_argument("--access-key", action="store_true",
                            help="also create an access key for the admin user")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args, **options):
        if options["access_key"] and not options["admin_user"]:
            raise CommandError("--access-key needs --admin-user")
        try:
            with transaction.atomic():
                created = services.create_account(
                    email=options["email"], password=options["password"],
                    account_id=options["account_id"], alias=options["alias"], name=options["name"],
                )
                admin = None
                if options["admin_user"]:
                    admin = bootstrap.create_admin_user(
                        created.account, options["admin_user"],
                        password=options["admin_password"], access_key=options["access_key"])
        except IamError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from exc
        base = options["base_url"].rstrip("/")
        result = {
            "account_id": created.account.id,
            "account_alias": created.account.alias,
            "root_email": created.root.email,
            "root_password": created.root_password,
            "root_sign_in_url": f"{base}/signin",
            "iam_user_sign_in_url": f"{base}/signin/{created.account.sign_in_slug}/",
        }
        if admin is not None:
            result["admin_user"] = admin.as_dict()
        if options["json"]:
            self.stdout.write(json.dumps(result))
            return
        self.stdout.write(self.style.SUCCESS(f"Account {created.account.id} created."))
        self.stdout.write(f"  Sign in at:     {result['root_sign_in_url']}  (Root user)")
        self.stdout.write(f"  Email:          {result['root_email']}")
        self.stdout.write(f"  Password:       {result['root_password']}")
        self.stdout.write(f"  IAM user URL:   {result['iam_user_sign_in_url']}")
        if admin is not None:
            self.stdout.write(f"  Admin user:     {admin.user_name} / {admin.password}")
            if admin.access_key_id:
                self.stdout.write(f"  Access key:     {admin.access_key_id}")
                self.stdout.write(f"  Secret key:     {admin.secret_access_key}")
