"""gunicorn's settings for production (read by ``gunicorn.conf.py`` at the top level).

Threaded workers keep HTTP connections alive, which SDKs and the AWS CLI rely
on (a sync worker closes the connection after every response). One process per
core uses every core. A worker serves one request at a time by default: once
read events were batched (audit.event_writer) a request spends little time
waiting on the database, and more threads only made the workers hand the GIL
back and forth (2 x 1 against 2 x 3, paired rounds: GetUser 1.21x,
GetCallerIdentity 1.24x, ListUsers 1.12x, AssumeRole 1.16x; 3 x 1 and 4 x 1
slower: ``python -m bench.api`` with IAM_BENCH_GUNICORN_ARGS). Raise
GUNICORN_THREADS where slow console pages share the server with API calls.
Both can be set from the environment.
"""

import os

worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", str(max(2, os.cpu_count() or 1))))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
keepalive = 75  # seconds: longer than the idle timeout of botocore's connection pool
# A listening socket per worker: the kernel spreads new connections evenly. On a
# shared socket one worker can win the race for every connection of a burst
# and serve them all from one core while the others idle.
reuse_port = True


def describe() -> str:
    return f"{workers} {worker_class} workers x {threads} threads, keep-alive {keepalive} s"


def post_worker_init(worker):
    # Each worker writes its successful read events in batches (audit.event_writer).
    from audit.recording import start_event_writer

    start_event_writer()


def worker_exit(server, worker):
    # A graceful stop writes the events still queued.
    from audit import event_writer

    event_writer.stop()
