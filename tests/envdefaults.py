"""Test-run defaults, set before Django reads its settings.

Loaded as a plugin (``-p tests.envdefaults`` in pyproject.toml) so that it runs
before pytest-django imports the settings; a conftest.py would run too late.

A test run against PostgreSQL is not the embedded run, so it is handed its
secrets here rather than generating them into var/. Plain-HTTP live servers
need cookies without the Secure flag.
"""

import base64
import os
import secrets

os.environ.setdefault("SECRET_KEY", "test-" + secrets.token_urlsafe(40))
os.environ.setdefault("IAM_ENCRYPTION_KEYS",
                      "t1:" + base64.b64encode(secrets.token_bytes(32)).decode())
os.environ.setdefault("IAM_SECURE_COOKIES", "false")
os.environ.setdefault("IAM_HTTPS", "false")
os.environ.setdefault("IAM_VAR_DIR", os.path.join(os.path.dirname(os.path.dirname(__file__)),
                                                  "var", "test"))
