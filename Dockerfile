# syntax=docker/dockerfile:1
# UAIP production image. One image, three roles (docker-compose.prod.yml):
#   web     (default) gunicorn serving uaip.wsgi, static files through whitenoise
#   worker  python manage.py db_worker
#   migrate python manage.py migrate --no-input   (one-off, before web and worker start)
# Configuration comes only from the environment at run time: nothing secret is baked in.
ARG PYTHON_IMAGE=python:3.12-slim-bookworm

# --- build: a virtualenv holding exactly the pinned runtime dependencies ------------------------------------------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never
RUN pip install "uv==0.13.9"
COPY requirements/base.txt /tmp/requirements.txt
RUN --mount=type=cache,target=/root/.cache/uv \
    uv venv /opt/venv --python /usr/local/bin/python3 \
    && uv pip sync --python /opt/venv/bin/python /tmp/requirements.txt

# --- runtime: slim Python, the virtualenv, the code, collected static files, an unprivileged user --------------
FROM ${PYTHON_IMAGE} AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=uaip.settings \
    STATIC_ROOT=/app/staticfiles \
    PORT=8000
# WeasyPrint (charter PDFs) needs Pango and a font; slim images ship neither.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
       libpango-1.0-0=1.50.* libpangoft2-1.0-0=1.50.* libharfbuzz-subset0=6.0.* fonts-dejavu-core=2.37-* \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 uaip \
    && useradd --system --uid 10001 --gid uaip --home-dir /nonexistent --no-create-home \
       --shell /usr/sbin/nologin uaip
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
# Owned by root and read-only for the app user: the process can change neither its code nor its static files.
COPY . .
# collectstatic needs settings, not a database or secrets: the values below exist for this one command only
# (they are not ENV, so they are not in the image's configuration).
RUN SECRET_KEY=collectstatic-only-not-a-secret ALLOWED_HOSTS=build.invalid DATABASE_URL=sqlite:////tmp/unused.db \
    python manage.py collectstatic --no-input --verbosity 0 \
    && python -m compileall -q accounts llm sessions_app uaip deploy
# Numeric, so orchestrators can verify "not root" without the image's passwd file (uid 10001 is "uaip").
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["python", "/app/deploy/healthcheck.py"]
CMD ["gunicorn", "--config", "deploy/gunicorn.conf.py", "uaip.wsgi"]
