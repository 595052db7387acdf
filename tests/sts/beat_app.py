"""The project's Celery app with a one-second expiry schedule, for the beat test.

The real schedule lives in settings (every 60 s); a test cannot wait that long.
"""

from iamconsole.celery import app

app.conf.beat_schedule = {
    "expire-role-sessions-every-second": {"task": "sts.expire_role_sessions", "schedule": 1.0},
}
