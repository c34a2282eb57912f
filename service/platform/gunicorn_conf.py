"""gunicorn settings for `make run` and the production image alike.

gevent workers: a connection that waits (an SSE subscriber, a slow or idle client sending its body a
byte at a time) holds a greenlet, not a worker, so two slow clients cannot take the API down and a
thousand event streams fit in one process. psycopg 3 and redis-py cooperate with gevent's patched
sockets. CPU-heavy work (card reading, faces) runs in the RQ worker; the upload pre-check, which
runs here and may read a card's print, runs on a native thread off the loop (service.platform.offload).
"""

import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gevent"
worker_connections = int(os.environ.get("WORKER_CONNECTIONS", "2000"))
timeout = 60
graceful_timeout = 30
keepalive = 5
limit_request_line = 8190
limit_request_fields = 100
accesslog = "-"
# Without query strings: a search may carry an ID number, which is never logged.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'


def post_request(worker, req, environ, resp):  # type: ignore[no-untyped-def]  # gunicorn's hook signature
    """Yield to the worker's other connections after every request.

    A gevent greenlet only yields when it would block; on a busy keep-alive connection the client's
    next request is usually already there, so one connection could be served request after request
    while the others wait (seen as a p99 of 130 ms on a trivial endpoint under wrk). Yielding here
    takes the connections in turn.
    """
    import gevent

    gevent.sleep(0)
