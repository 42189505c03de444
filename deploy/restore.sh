#!/usr/bin/env bash
# Restore a dump made by backup.sh:  restore.sh [--yes] DUMP.sql.gz [DATABASE]
#
# DATABASE (default DB_NAME or teammoa) is created when missing (utf8mb4). A database that
# already has tables is only overwritten with --yes. DUMP may be an s3:// URI (fetched with
# the AWS CLI). Connection settings as for backup.sh: DB_HOST, DB_PORT, DB_USER, MYSQL_PWD;
# RESTORE_MYSQL replaces the client command (default mysql), e.g.
# "docker compose -f docker-compose.prod.yml exec -T -e MYSQL_PWD db mysql".
set -euo pipefail

log() { printf '%s restore: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

yes=no
if [[ ${1:-} == --yes || ${1:-} == -y ]]; then yes=yes; shift; fi
[[ $# -ge 1 && $# -le 2 ]] || die "usage: restore.sh [--yes] DUMP.sql.gz [DATABASE]"
dump=$1
database=${2:-${DB_NAME:-teammoa}}
[[ $database =~ ^[A-Za-z0-9_]+$ ]] || die "unexpected database name '$database'"
read -r -a mysql_command <<< "${RESTORE_MYSQL:-mysql}"
args=(--default-character-set=utf8mb4)
[[ -n ${DB_HOST:-} ]] && args+=(--host="$DB_HOST" --protocol=tcp)
[[ -n ${DB_PORT:-} ]] && args+=(--port="$DB_PORT")
[[ -n ${DB_USER:-} ]] && args+=(--user="$DB_USER")
[[ -n ${MYSQL_PWD:-} ]] && export MYSQL_PWD

if [[ $dump == s3://* ]]; then
  local_copy=$(mktemp --suffix=.sql.gz)
  trap 'rm -f "$local_copy"' EXIT
  aws s3 cp --only-show-errors "$dump" "$local_copy" || die "cannot fetch $dump"
  dump=$local_copy
fi
[[ -r $dump ]] || die "cannot read $dump"
gzip -t "$dump" || die "$dump is not a valid gzip file"

sql() { "${mysql_command[@]}" "${args[@]}" --batch --skip-column-names -e "$1"; }

sql "CREATE DATABASE IF NOT EXISTS \`$database\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
tables=$(sql "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '$database'")
if [[ $tables != 0 && $yes != yes ]]; then
  die "database $database already has $tables tables; pass --yes to overwrite them"
fi
log "restoring $1 into $database"
gzip -dc "$dump" | "${mysql_command[@]}" "${args[@]}" "$database" || die "restore into $database failed"
log "done: $(sql "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '$database'") tables in $database"
