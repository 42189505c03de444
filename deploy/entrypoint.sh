#!/bin/sh
# TeamMoa container entrypoint (SPEC section 8).
#
#   entrypoint.sh [serve]              wait for the database (DATABASE_WAIT_TIMEOUT seconds,
#                                     default 60, then fail clearly), migrate only when
#                                     RUN_MIGRATIONS=1 (one instance, not every replica),
#                                     collect static files (COLLECTSTATIC=0 skips), create
#                                     the superuser from DJANGO_SUPERUSER_* if set, then
#                                     exec the server (deploy/serve.py: gunicorn for
#                                     HTTP on $PORT, Daphne for WebSockets on $PORT+1)
#   entrypoint.sh COMMAND [ARGS...]   exec COMMAND (e.g. django-admin purge_unconfirmed_accounts)
#
# Started as root (`docker run --user root`), it re-executes itself as TEAMMOA_USER first:
# nothing here or in the server ever runs privileged. No cron daemon runs in this container;
# periodic jobs run as one-off containers (see deploy/crontab).
set -eu

APP_DIR=${TEAMMOA_APP_DIR:-$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)}
PYTHON=${PYTHON:-python}
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-teammoa_site.settings.prod}"

log() {
  printf '%s entrypoint: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2
}

truthy() {
  case $(printf '%s' "${1:-}" | tr '[:upper:]' '[:lower:]') in
    1 | true | yes | on) return 0 ;;
    *) return 1 ;;
  esac
}

if [ "$(id -u)" = 0 ] && [ -n "${TEAMMOA_USER:-}" ]; then
  log "started as root: continuing as ${TEAMMOA_USER}"
  exec setpriv --reuid="$TEAMMOA_USER" --regid="$TEAMMOA_USER" --init-groups -- "$0" "$@"
fi

if [ "$#" -eq 0 ]; then
  set -- serve
fi

if [ "$1" != serve ]; then
  exec "$@"
fi
shift

"$PYTHON" "$APP_DIR/wait_for_db.py" --timeout "${DATABASE_WAIT_TIMEOUT:-60}"

if truthy "${RUN_MIGRATIONS:-0}"; then
  log "applying migrations"
  django-admin migrate --noinput
else
  log "not migrating (RUN_MIGRATIONS is off; one instance per deploy runs them)"
fi

if truthy "${COLLECTSTATIC:-1}"; then
  log "collecting static files"
  django-admin collectstatic --noinput --verbosity 0
fi

if [ -n "${DJANGO_SUPERUSER_USERNAME:-}" ]; then
  "$PYTHON" "$APP_DIR/ensure_superuser.py"
fi

log "starting the server"
exec "$PYTHON" "$APP_DIR/serve.py"
