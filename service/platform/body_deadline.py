"""A request body must keep pace: slow clients cannot hold the server's connections for hours.

gunicorn's gevent workers (service/platform/gunicorn_conf.py) hold a waiting client on a greenlet,
not a worker, so a few slow clients no longer stall everyone; and gunicorn bounds the wait for a
request's headers by its keep-alive timeout. Nothing bounds the wait for the body: a client that
declares 100,000 bytes and sends one a second would hold its connection for 28 hours, and a few
thousand such clients would fill every worker's connection slots.

Here every read of the body has a deadline: ``BODY_GRACE_SECONDS`` plus the bytes read so far at
``BODY_MIN_BYTES_PER_SECOND`` (8 KB/s by default, a poor mobile link; a 5 MB liveness upload gets
~10 minutes). A client that falls behind gets 408 ``request_timeout`` and its connection is closed.
The deadline needs gevent (its timeouts interrupt a waiting socket read); without gevent's
patched sockets (the test client, a thread) reads are left as they are.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterable
from typing import IO, Any

from flask import Flask
from werkzeug.exceptions import RequestTimeout

from service.platform.offload import gevent_sockets

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class BodyTimeout(RequestTimeout):
    """The client sent its body too slowly (408)."""


class _PacedInput:
    """``wsgi.input`` whose reads must finish by ``start + grace + (bytes so far + asked) / rate``."""

    def __init__(self, stream: IO[bytes], sock: socket.socket | None, grace: float, rate: float) -> None:
        self._stream, self._sock = stream, sock
        self._start, self._grace, self._rate = time.monotonic(), grace, rate
        self._received = 0

    def _paced(self, read: Callable[[], bytes], asked: int) -> bytes:
        import gevent

        deadline = self._start + self._grace + (self._received + max(asked, 0)) / self._rate
        try:
            with gevent.Timeout(max(deadline - time.monotonic(), 0.001)):
                data = read()
        except gevent.Timeout:
            self._hang_up()
            raise BodyTimeout("request body too slow") from None
        self._received += len(data)
        return data

    def _hang_up(self) -> None:
        """Stop reading from the client: gunicorn then closes the connection after the 408 instead of
        draining the rest of the body at the client's pace."""
        if self._sock is not None:
            try:
                self._sock.shutdown(socket.SHUT_RD)
            except OSError:
                pass

    def read(self, size: int | None = -1) -> bytes:
        asked = -1 if size is None else size
        return self._paced(lambda: self._stream.read(asked), asked if asked >= 0 else 64 * 1024)

    def readline(self, size: int | None = -1) -> bytes:
        asked = -1 if size is None else size
        return self._paced(lambda: self._stream.readline(asked), asked if asked >= 0 else 64 * 1024)

    def __iter__(self) -> _PacedInput:
        return self

    def __next__(self) -> bytes:
        line = self.readline()
        if not line:
            raise StopIteration
        return line


def pace_bodies(app: Flask) -> None:
    """Wrap ``app.wsgi_app`` so that request bodies are read under the pacing deadline."""
    inner: WSGIApp = app.wsgi_app
    grace = float(app.config["BODY_GRACE_SECONDS"])
    rate = float(app.config["BODY_MIN_BYTES_PER_SECOND"])

    def paced(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        has_body = environ.get("CONTENT_LENGTH") not in (None, "", "0") or environ.get(
            "HTTP_TRANSFER_ENCODING"
        )
        if has_body and gevent_sockets():
            environ["wsgi.input"] = _PacedInput(
                environ["wsgi.input"], environ.get("gunicorn.socket"), grace, rate
            )
        return inner(environ, start_response)

    app.wsgi_app = paced  # type: ignore[method-assign]
