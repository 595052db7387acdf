"""gunicorn's settings for production (read by ``gunicorn.conf.py`` at the top level).

Threaded workers keep HTTP connections alive, which SDKs and the AWS CLI rely
on (a sync worker closes the connection after every response). One process per
core uses every core; a few threads in each overlap one request's database
round trips with another's work, and more would only queue on the GIL (on two
cores, 2 x 3 served GetUser about 10% faster than 3 x 2 or 4 x 4, and 6 x 1 or
4 x 1 slower still: ``python -m bench.api`` with IAM_BENCH_GUNICORN_ARGS).
Both can be set from the environment.
"""

import os

worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", str(max(2, os.cpu_count() or 1))))
threads = int(os.environ.get("GUNICORN_THREADS", "3"))
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
