"""gunicorn's settings for production (read by ``gunicorn.conf.py`` at the top level).

Threaded workers keep HTTP connections alive, which SDKs and the AWS CLI rely
on (a sync worker closes the connection after every response). Several
processes use every core; a few threads in each overlap one request's database
round trips with another's work. Both can be set from the environment.
"""

import os

worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", str(max(2, (os.cpu_count() or 1) * 2))))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
keepalive = 75  # seconds: longer than the idle timeout of botocore's connection pool


def describe() -> str:
    return f"{workers} {worker_class} workers x {threads} threads, keep-alive {keepalive} s"
