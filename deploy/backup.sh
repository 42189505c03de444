#!/usr/bin/env bash
# Back up the TeamMoa database: a consistent dump (mysqldump --single-transaction), gzip,
# rotation by age, and an optional upload with the AWS CLI.
#
# Settings (environment; those marked * may also come from BACKUP_ENV_FILE, e.g. .env):
#   DB_NAME (or MYSQL_DATABASE*)  database to dump (default teammoa)
#   DB_HOST, DB_PORT, DB_USER     connection (default: mysqldump's own defaults)
#   MYSQL_PWD (or MYSQL_ROOT_PASSWORD* with DB_USER=root)  password, never on a command line
#   BACKUP_DIR*                   where dumps go (default /srv/teammoa/backups)
#   BACKUP_KEEP_DAYS*             dumps older than this many days are deleted (default 14)
#   BACKUP_S3_URI*                e.g. s3://bucket/teammoa/: upload each dump there
#   BACKUP_MYSQLDUMP              the dump command (default mysqldump), e.g.
#                                 "docker compose -f docker-compose.prod.yml exec -T -e MYSQL_PWD db mysqldump"
#   BACKUP_METRICS_FILE*          when set, a Prometheus text file written after each run
#                                 (node_exporter's textfile collector reads it; the alerts
#                                 "backup older than a day" and "backup disk" use it)
# Prints the path of the new dump on stdout.
set -euo pipefail

log() { printf '%s backup: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }
die() { log "ERROR: $*"; write_metrics failure; exit 1; }

started=$(date +%s)
metrics_file=""
write_metrics() {  # write_metrics success|failure [DUMP]: the run, for Prometheus
  [[ -n $metrics_file ]] || return 0
  local outcome=$1 dump=${2:-} now previous_success=0 previous_size=0 available=0 size=0 tmp
  now=$(date +%s)
  if [[ -r $metrics_file ]]; then  # a failure keeps what the last success recorded
    previous_success=$(sed -n 's/^teammoa_backup_last_success_timestamp_seconds //p' "$metrics_file")
    previous_size=$(sed -n 's/^teammoa_backup_last_size_bytes //p' "$metrics_file")
  fi
  if [[ -d $BACKUP_DIR ]]; then
    read -r size available < <(df -P -B1 "$BACKUP_DIR" | awk 'NR == 2 { print $2, $4 }') || true
  fi
  tmp=$(mktemp "$metrics_file.XXXXXX") || { log "cannot write $metrics_file"; return 0; }
  {
    echo "# HELP teammoa_backup_last_success_timestamp_seconds When the last good dump was written."
    echo "# TYPE teammoa_backup_last_success_timestamp_seconds gauge"
    if [[ $outcome == success ]]; then
      echo "teammoa_backup_last_success_timestamp_seconds $now"
    else
      echo "teammoa_backup_last_success_timestamp_seconds ${previous_success:-0}"
    fi
    echo "# HELP teammoa_backup_last_run_success 1 if the last run wrote a good dump, else 0."
    echo "# TYPE teammoa_backup_last_run_success gauge"
    echo "teammoa_backup_last_run_success $([[ $outcome == success ]] && echo 1 || echo 0)"
    echo "# HELP teammoa_backup_last_size_bytes Size of the last good dump."
    echo "# TYPE teammoa_backup_last_size_bytes gauge"
    if [[ -n $dump ]]; then
      echo "teammoa_backup_last_size_bytes $(wc -c < "$dump")"
    else
      echo "teammoa_backup_last_size_bytes ${previous_size:-0}"
    fi
    echo "# HELP teammoa_backup_last_duration_seconds How long the last run took."
    echo "# TYPE teammoa_backup_last_duration_seconds gauge"
    echo "teammoa_backup_last_duration_seconds $((now - started))"
    echo "# HELP teammoa_backup_disk_size_bytes Size of the file system holding the backups."
    echo "# TYPE teammoa_backup_disk_size_bytes gauge"
    echo "teammoa_backup_disk_size_bytes ${size:-0}"
    echo "# HELP teammoa_backup_disk_available_bytes Free space for the backups."
    echo "# TYPE teammoa_backup_disk_available_bytes gauge"
    echo "teammoa_backup_disk_available_bytes ${available:-0}"
  } > "$tmp"
  chmod 644 "$tmp"
  mv -f "$tmp" "$metrics_file"  # atomically: the collector never reads half a file
}

env_file_value() {  # env_file_value KEY: KEY's value in BACKUP_ENV_FILE, if any
  [[ -n ${BACKUP_ENV_FILE:-} ]] || return 0
  [[ -r $BACKUP_ENV_FILE ]] || die "cannot read BACKUP_ENV_FILE=$BACKUP_ENV_FILE"
  sed -n "s/^$1=//p" "$BACKUP_ENV_FILE" | tail -n 1
}

DB_NAME=${DB_NAME:-${MYSQL_DATABASE:-$(env_file_value MYSQL_DATABASE)}}
DB_NAME=${DB_NAME:-teammoa}
BACKUP_DIR=${BACKUP_DIR:-$(env_file_value BACKUP_DIR)}
BACKUP_DIR=${BACKUP_DIR:-/srv/teammoa/backups}
KEEP_DAYS=${BACKUP_KEEP_DAYS:-$(env_file_value BACKUP_KEEP_DAYS)}
KEEP_DAYS=${KEEP_DAYS:-14}
S3_URI=${BACKUP_S3_URI:-$(env_file_value BACKUP_S3_URI)}
metrics_file=${BACKUP_METRICS_FILE:-$(env_file_value BACKUP_METRICS_FILE)}
if [[ -z ${MYSQL_PWD:-} && ${DB_USER:-} == root ]]; then
  MYSQL_PWD=${MYSQL_ROOT_PASSWORD:-$(env_file_value MYSQL_ROOT_PASSWORD)}
fi
[[ -n ${MYSQL_PWD:-} ]] && export MYSQL_PWD
[[ $KEEP_DAYS =~ ^[0-9]+$ ]] || die "BACKUP_KEEP_DAYS must be a whole number of days, not '$KEEP_DAYS'"
read -r -a dump_command <<< "${BACKUP_MYSQLDUMP:-mysqldump}"

args=(--single-transaction --quick --routines --triggers --hex-blob
      --default-character-set=utf8mb4 --no-tablespaces)
[[ -n ${DB_HOST:-} ]] && args+=(--host="$DB_HOST" --protocol=tcp)
[[ -n ${DB_PORT:-} ]] && args+=(--port="$DB_PORT")
[[ -n ${DB_USER:-} ]] && args+=(--user="$DB_USER")

mkdir -p "$BACKUP_DIR"
umask 077
stamp=$(date -u +%Y%m%dT%H%M%SZ)
target="$BACKUP_DIR/teammoa-$DB_NAME-$stamp.sql.gz"
partial="$target.partial"
trap 'rm -f "$partial"' EXIT

log "dumping $DB_NAME"
"${dump_command[@]}" "${args[@]}" "$DB_NAME" | gzip -c > "$partial" \
  || die "mysqldump of $DB_NAME failed; nothing was rotated or uploaded"
gzip -t "$partial" || die "the new dump is not a valid gzip file"
zcat "$partial" | tail -n 1 | grep -q '^-- Dump completed' \
  || die "the dump of $DB_NAME is incomplete (no 'Dump completed' trailer)"
mv "$partial" "$target"
log "wrote $target ($(wc -c < "$target") bytes)"

# Only once a good dump exists may old ones go.
find "$BACKUP_DIR" -maxdepth 1 -type f -name 'teammoa-*.sql.gz' -mtime +"$KEEP_DAYS" -print -delete \
  | while read -r old; do log "removed $old (older than $KEEP_DAYS days)"; done

if [[ -n $S3_URI ]]; then
  aws s3 cp --only-show-errors "$target" "${S3_URI%/}/$(basename "$target")" \
    || die "upload to $S3_URI failed (the local dump is kept)"
  log "uploaded to ${S3_URI%/}/$(basename "$target")"
fi
write_metrics success "$target"
printf '%s\n' "$target"
