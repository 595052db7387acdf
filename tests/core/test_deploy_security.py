"""Production settings pass Django's deploy checks; pages carry CSP and no inline code."""

from __future__ import annotations

import base64
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _production_env() -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in {"IAM_HTTPS", "IAM_SECURE_COOKIES", "DEBUG", "IAM_EMBEDDED",
                        "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update({
        "DATABASE_URL": "postgres://iam:secret@db.internal:5432/iam",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "IAM_ENCRYPTION_KEYS": "k1:" + base64.b64encode(os.urandom(32)).decode(),
        "ALLOWED_HOSTS": "iam.example.com",
        "CELERY_BROKER_URL": "redis://redis.internal:6379/0",
    })
    return env


def test_check_deploy_is_clean_with_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=_production_env(), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_its_secrets():
    env = _production_env()
    del env["SECRET_KEY"]
    env["IAM_VAR_DIR"] = "/nonexistent-var-dir"
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "secret_key is not set" in result.stderr


def test_production_cookies_use_the_host_prefix():
    script = ("import django, os; os.environ['DJANGO_SETTINGS_MODULE']='iamconsole.settings'; "
              "django.setup(); from django.conf import settings as s; "
              "print(s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, s.SESSION_COOKIE_SECURE, "
              "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS)")
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=_production_env(),
                         capture_output=True, text=True, timeout=60, check=True).stdout.split()
    assert out == ["__Host-iam-session", "__Host-iam-csrf", "True", "True", "31536000"]


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get("/signin")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_templates_have_no_inline_scripts_styles_or_handlers():
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text):
            offenders.append(f"{path}: inline <script>")
        if re.search(r"\son[a-z]+\s*=", text):
            offenders.append(f"{path}: inline event handler")
        if re.search(r"<style\b|\sstyle\s*=", text):
            offenders.append(f"{path}: inline style")
    assert offenders == []
