"""gunicorn reads this file from the working directory: see iamconsole/gunicorn_conf.py."""
from iamconsole.gunicorn_conf import *  # noqa: F401,F403
