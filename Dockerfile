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

RUN useradd --system --uid 10001 app
USER app
ENV FLASK_APP=service
EXPOSE 8000
# Access log without query strings: a search may carry an ID number, which is never logged.
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "--workers", "4", "--access-logfile", "-", \
     "--access-logformat", "%(h)s %(t)s \"%(m)s %(U)s\" %(s)s %(b)s %(M)sms", "service.platform.wsgi:app"]
