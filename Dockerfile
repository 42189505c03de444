# TeamMoa production image (SPEC section 8): `docker build -t teammoa .` at the repository root.
#
# Stage 1 builds wheels of the three packages, the site and every dependency (mysqlclient
# compiled against libmariadb) and installs them into /opt/venv; stage 2 is the slim runtime
# with only the MariaDB client library, a non-root user and that venv.
# PYTHON_IMAGE lets a build without a registry use a local base (see the `image` nox session).
ARG PYTHON_IMAGE=python:3.11-slim

FROM ${PYTHON_IMAGE} AS builder
SHELL ["/bin/bash", "-o", "pipefail", "-c"]

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        build-essential default-libmysqlclient-dev gettext pkg-config \
    && rm -rf /var/lib/apt/lists/*

# A throwaway venv for the build tools; the app venv gets no pip at all.
# hadolint ignore=DL3013
RUN python -m venv /opt/build \
    && /opt/build/bin/pip install --upgrade pip \
    && python -m venv --without-pip /opt/venv

WORKDIR /src
COPY deploy/constraints.txt deploy/constraints.txt
COPY packages packages
COPY site site

# Catalogues are compiled here so the wheels carry .mo files whatever the checkout holds.
RUN find packages site -name '*.po' -path '*/LC_MESSAGES/*' \
        -exec sh -c 'for po; do msgfmt --check -o "${po%.po}.mo" "$po"; done' sh {} + \
    && /opt/build/bin/pip wheel --wheel-dir /wheels --constraint deploy/constraints.txt \
        ./packages/teammoa-core ./packages/teammoa-schedule ./packages/teammoa-mindmap ./site \
    && /opt/build/bin/pip --python /opt/venv/bin/python install --no-index --find-links /wheels \
        --constraint deploy/constraints.txt teammoa-site \
    && /opt/build/bin/pip --python /opt/venv/bin/python check

# Slimming, all of it dead weight at run time: the dependencies' own test suites (never
# django/test, which is a runtime module), gettext sources (.po), catalogues for languages
# the site does not offer (KEEP_LOCALES must list every code in settings.LANGUAGES) and
# debug symbols of compiled extensions.
ARG KEEP_LOCALES="en ko"
RUN site=$(/opt/venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])') \
    && find "$site" -depth -type d \( -name tests -o -name test \) -not -path '*/django/test' \
        -exec rm -rf {} + \
    && find "$site" -name '*.po' -delete \
    && find "$site" -mindepth 2 -type d -name locale | while read -r dir; do \
        for lang in "$dir"/*/; do \
            code=$(basename "$lang"); keep=no; \
            for wanted in $KEEP_LOCALES; do \
                case $code in "$wanted" | "$wanted"_*) keep=yes ;; esac; \
            done; \
            [ "$keep" = yes ] || rm -rf "$lang"; \
        done; \
    done \
    && find "$site" -name '*.so' -exec strip --strip-unneeded {} +

FROM ${PYTHON_IMAGE} AS runtime

ARG APP_UID=10001
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DJANGO_SETTINGS_MODULE=teammoa_site.settings.prod \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/app/media \
    TEAMMOA_DRAIN_FILE=/tmp/teammoa-draining \
    TEAMMOA_USER=app \
    PORT=8000

# Runtime libraries only: the MariaDB/MySQL client library for mysqlclient.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libmariadb3 \
    && apt-get clean \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/cache/debconf/*-old \
    && groupadd --system --gid "$APP_UID" app \
    && useradd --system --uid "$APP_UID" --gid app --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin app \
    && mkdir -p /app/staticfiles /app/media \
    && chown app:app /app/staticfiles /app/media

COPY --from=builder /opt/venv /opt/venv
COPY deploy/entrypoint.sh deploy/serve.py deploy/healthcheck.py deploy/wait_for_db.py \
     deploy/ensure_superuser.py deploy/request_counts.py /app/

WORKDIR /app
USER ${APP_UID}:${APP_UID}
# 8000: plain HTTP (gunicorn); 8001: WebSockets (Daphne). See deploy/serve.py.
EXPOSE 8000 8001
STOPSIGNAL SIGTERM
# No curl in the image: the check is a few lines of Python against /health/.
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "/app/healthcheck.py"]
ENTRYPOINT ["/app/entrypoint.sh"]
CMD ["serve"]
