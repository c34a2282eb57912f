# Production image: gunicorn serves the API; run the worker from the same image with `flask worker`.
# Settings come from the environment (DATABASE_URL, REDIS_URL, XJY_*); see README.md.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 UV_PROJECT_ENVIRONMENT=/opt/venv PATH=/opt/venv/bin:$PATH
RUN pip install --no-cache-dir uv
WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project
COPY service ./service
COPY models ./models
COPY idverify ./idverify
COPY migrations ./migrations

# The audit checkpoints' folder exists in the image and belongs to app: a named volume mounted there
# (compose.yaml's scheduler) starts with the image's owner, where a missing folder would be root's.
RUN useradd --system --uid 10001 app \
    && mkdir -p /var/lib/xjy/audit-checkpoints && chown app /var/lib/xjy/audit-checkpoints
USER app
ENV FLASK_APP=service
EXPOSE 8000
# gevent workers (long event streams and slow clients hold a greenlet, not a worker); the access log
# has no query strings. Settings: service/platform/gunicorn_conf.py.
ENV HOST=0.0.0.0 PORT=8000 WEB_CONCURRENCY=4
CMD ["gunicorn", "--config", "python:service.platform.gunicorn_conf", "service.platform.wsgi:app"]
