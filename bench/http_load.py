"""A lean HTTP/1.1 keep-alive load generator for the benchmarks.

One process drives several persistent connections at once through a selector:
each connection sends a pre-serialized request, reads the response (status
line, headers, ``Content-Length`` body) and sends its next one. Requests are
bytes prepared in advance, so the generator's CPU goes to moving them, not to
building or signing them: on a two-core machine every cycle it spends is taken
from the server it measures.

The server must answer with ``Content-Length`` (Django does). A response that
says ``Connection: close`` (or a connection the server drops) is counted as a
reconnect: the figures then show whether keep-alive was really in force.
"""

from __future__ import annotations

import selectors
import socket
import time
from dataclasses import dataclass, field


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)  # seconds, measured requests only
    started: float = 0.0
    ended: float = 0.0
    errors: int = 0  # responses other than 200
    reconnects: int = 0  # connections closed by the server
    first_error: bytes = b""

    @property
    def count(self) -> int:
        return len(self.latencies)

    @property
    def rps(self) -> float:
        elapsed = self.ended - self.started
        return self.count / elapsed if elapsed > 0 else 0.0

    def percentile(self, fraction: float) -> float:
        """Latency in milliseconds at ``fraction`` (0.5 for p50)."""
        ordered = sorted(self.latencies)
        if not ordered:
            return 0.0
        return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] * 1000


def request_bytes(method: str, host: str, path: str, headers: dict[str, str],
                  body: bytes = b"") -> bytes:
    """One HTTP/1.1 request, ready to send on a keep-alive connection."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}"]
    lines += [f"{name}: {value}" for name, value in headers.items() if name.lower() != "host"]
    if body or method == "POST":
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class _Connection:
    def __init__(self, address: tuple[str, int]):
        self.address = address
        self.socket = socket.create_connection(address)
        self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.socket.setblocking(False)
        self.buffer = b""
        self.sent_at = 0.0
        self.next_index = 0

    def reopen(self) -> None:
        self.socket.close()
        self.socket = socket.create_connection(self.address)
        self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.socket.setblocking(False)
        self.buffer = b""


def _response_complete(buffer: bytes) -> tuple[int, bool, int] | None:
    """(status, server closes, length of the whole response), or None while incomplete."""
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        return None
    head = buffer[:end].decode("latin-1").split("\r\n")
    status = int(head[0].split(" ", 2)[1])
    length = 0
    closes = False
    for line in head[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value.strip())
        elif name == "connection" and value.strip().lower() == "close":
            closes = True
    total = end + 4 + length
    if len(buffer) < total:
        return None
    return status, closes, total


def drive(host: str, port: int, requests: list[bytes], *, connections: int, warmup: int,
          limit: int, seconds: float) -> Result:
    """Send ``requests`` round-robin over ``connections`` keep-alive connections.

    The first ``warmup`` responses are not measured; then at most ``limit``
    responses or ``seconds`` of measuring, whichever comes first.
    """
    address = (host, port)
    selector = selectors.DefaultSelector()
    pool = [_Connection(address) for _ in range(connections)]
    result = Result()
    done = 0
    measuring_from = None
    deadline = None

    def send(connection: _Connection) -> None:
        payload = requests[connection.next_index % len(requests)]
        connection.next_index += 1
        connection.sent_at = time.perf_counter()
        connection.socket.sendall(payload)  # small: fits the socket buffer at once

    for index, connection in enumerate(pool):
        connection.next_index = index
        selector.register(connection.socket, selectors.EVENT_READ, connection)
        send(connection)
    while pool:
        for key, _ in selector.select(timeout=10):
            connection: _Connection = key.data
            try:
                chunk = connection.socket.recv(65536)
            except (ConnectionResetError, BlockingIOError):
                chunk = b""
            if chunk:
                connection.buffer += chunk
                parsed = _response_complete(connection.buffer)
                if parsed is None:
                    continue
                status, closes, total = parsed
                now = time.perf_counter()
                done += 1
                if done == warmup:
                    measuring_from = now
                    result.started = now
                    deadline = now + seconds
                elif measuring_from is not None:
                    result.latencies.append(now - connection.sent_at)
                if status != 200:
                    result.errors += 1
                    result.first_error = result.first_error or connection.buffer[:total][:600]
                connection.buffer = connection.buffer[total:]
            else:
                closes = True
                status = None
            finished = measuring_from is not None and (
                result.count >= limit or time.perf_counter() >= deadline)
            if finished:
                selector.unregister(connection.socket)
                connection.socket.close()
                pool.remove(connection)
                continue
            if closes:
                result.reconnects += 1
                selector.unregister(connection.socket)
                connection.reopen()
                selector.register(connection.socket, selectors.EVENT_READ, connection)
            send(connection)
    result.ended = time.perf_counter()
    selector.close()
    return result
