#!/usr/bin/env bash
# Rolling deploy of one image tag to every host behind an AWS target group, one at a time.
#
#   rolling_deploy.sh TAG
#
# For each target: deregister it, wait until it has drained, ship the compose/nginx files,
# pull TAG, start it (web1 migrates), wait for the containers' health checks, reload nginx,
# register the target, wait until the load balancer has it in service, then watch the new
# release's 5xx ratio under real traffic for ERROR_WINDOW seconds. When any gate fails
# (health, in service, or an error ratio that rose by more than ERROR_RATIO_RISE over what
# the previous release had on that host), the target goes back to the tag it ran before
# (and back into service) and the deploy stops with a non-zero status; targets not reached
# yet keep the old tag.
#
# Environment:
#   TARGET_GROUP_ARN        the load balancer's target group (instance targets)   required
#   SSH_SECURITY_GROUP_ID   when set, SSH (22/tcp) from RUNNER_IP/32 is allowed in this
#   RUNNER_IP               security group for the deploy and always removed at the end
#   SSH_USER (deploy)  SSH_KEY (a private key file)  ADDRESS (public | private)
#   REMOTE_DIR (/srv/teammoa)  COMPOSE_FILE (docker-compose.prod.yml)
#   WEB_SERVICES ("web1 web2")  HEALTH_TIMEOUT (300 s)  POLL_INTERVAL (5 s)
#   ERROR_WINDOW (60 s)  ERROR_RATIO_RISE (0.05)  ERROR_MIN_REQUESTS (20: fewer requests in
#   the window cannot show a rise, and pass)
set -euo pipefail

TAG=${1:?usage: rolling_deploy.sh TAG}
[[ $TAG =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]] || { echo "invalid image tag '$TAG'" >&2; exit 2; }
TARGET_GROUP_ARN=${TARGET_GROUP_ARN:?set TARGET_GROUP_ARN}
SSH_USER=${SSH_USER:-deploy}
ADDRESS=${ADDRESS:-public}
REMOTE_DIR=${REMOTE_DIR:-/srv/teammoa}
COMPOSE_FILE=${COMPOSE_FILE:-docker-compose.prod.yml}
WEB_SERVICES=${WEB_SERVICES:-web1 web2}
HEALTH_TIMEOUT=${HEALTH_TIMEOUT:-300}
POLL_INTERVAL=${POLL_INTERVAL:-5}
ERROR_WINDOW=${ERROR_WINDOW:-60}
ERROR_RATIO_RISE=${ERROR_RATIO_RISE:-0.05}
ERROR_MIN_REQUESTS=${ERROR_MIN_REQUESTS:-20}
[[ $ERROR_RATIO_RISE =~ ^[0-9]*\.?[0-9]+$ ]] || { echo "ERROR_RATIO_RISE must be a number" >&2; exit 2; }
[[ $ERROR_MIN_REQUESTS =~ ^[0-9]+$ ]] || { echo "ERROR_MIN_REQUESTS must be a whole number" >&2; exit 2; }
ROOT=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)

log() { printf '%s deploy: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }

# --- SSH access for this run only ------------------------------------------------------
ssh_rule_open=no
close_ssh() {
  if [[ $ssh_rule_open == yes ]]; then
    log "removing SSH access for $RUNNER_IP/32"
    aws ec2 revoke-security-group-ingress --group-id "$SSH_SECURITY_GROUP_ID" \
      --protocol tcp --port 22 --cidr "$RUNNER_IP/32" \
      || log "WARNING: could not remove the SSH rule; the workflow's cleanup step retries"
    ssh_rule_open=no
  fi
}
trap close_ssh EXIT
if [[ -n ${SSH_SECURITY_GROUP_ID:-} ]]; then
  RUNNER_IP=${RUNNER_IP:?set RUNNER_IP, the public address of this runner, with SSH_SECURITY_GROUP_ID}
  log "allowing SSH from $RUNNER_IP/32"
  ssh_rule_open=yes  # set first: a half-applied call must still be undone
  aws ec2 authorize-security-group-ingress --group-id "$SSH_SECURITY_GROUP_ID" \
    --protocol tcp --port 22 --cidr "$RUNNER_IP/32"
fi

# --- helpers ------------------------------------------------------------------------------
ssh_opts=(-o BatchMode=yes -o StrictHostKeyChecking=accept-new -o ConnectTimeout=10)
[[ -n ${SSH_KEY:-} ]] && ssh_opts+=(-i "$SSH_KEY")

remote() {  # remote HOST COMMAND: run COMMAND in REMOTE_DIR on HOST
  # shellcheck disable=SC2029  # expanding here, on the runner, is the point
  ssh "${ssh_opts[@]}" "$SSH_USER@$1" "cd '$REMOTE_DIR' && $2"
}

compose() {  # compose HOST ARGS: docker compose on HOST
  remote "$1" "docker compose -f '$COMPOSE_FILE' $2"
}

current_tag() {
  remote "$1" "sed -n 's/^TEAMMOA_TAG=//p' .env | tail -n 1"
}

set_tag() {  # set_tag HOST TAG: the tag compose runs, kept in the host's .env
  remote "$1" "if grep -q '^TEAMMOA_TAG=' .env; then sed -i 's/^TEAMMOA_TAG=.*/TEAMMOA_TAG=$2/' .env; else echo 'TEAMMOA_TAG=$2' >> .env; fi"
}

healthy() {  # healthy HOST: every web container reports healthy before the deadline
  local host=$1 deadline=$((SECONDS + HEALTH_TIMEOUT)) states
  while :; do
    states=$(compose "$host" "ps -q $WEB_SERVICES | xargs -r docker inspect --format '{{.State.Health.Status}}'" || true)
    if [[ -n $states ]] && ! grep -qv '^healthy$' <<< "$states"; then
      log "$host: $(wc -l <<< "$states") container(s) healthy"
      return 0
    fi
    if grep -q '^unhealthy$' <<< "$states" || ((SECONDS >= deadline)); then
      log "$host: health gate failed: $(tr '\n' ' ' <<< "$states")"
      return 1
    fi
    sleep "$POLL_INTERVAL"
  done
}

start() {  # start HOST TAG: pull and run TAG on HOST, then wait for its health
  local host=$1 tag=$2
  set_tag "$host" "$tag" \
    && compose "$host" "pull --quiet $WEB_SERVICES" \
    && compose "$host" "up -d --no-deps $WEB_SERVICES" \
    && healthy "$host" \
    && compose "$host" "exec -T nginx nginx -s reload"
}

request_counts() {  # request_counts HOST: "<requests> <5xx>" summed over the web containers
  local host=$1 service line r e requests=0 errors=0
  for service in $WEB_SERVICES; do
    line=$(compose "$host" "exec -T $service python /app/request_counts.py") || return 1
    read -r r e <<< "$line"
    [[ $r =~ ^[0-9]+$ && $e =~ ^[0-9]+$ ]] || return 1
    requests=$((requests + r)) errors=$((errors + e))
  done
  echo "$requests $errors"
}

ratio() {  # ratio ERRORS REQUESTS: as a decimal (0 without requests)
  awk -v e="$1" -v r="$2" 'BEGIN { printf "%.4f", (r > 0 ? e / r : 0) }'
}

errors_steady() {  # errors_steady HOST BASELINE: the new release's 5xx ratio under traffic
  local host=$1 baseline=$2 before after requests errors current
  local b_requests b_errors a_requests a_errors
  before=$(request_counts "$host") || { log "$host: cannot read the request counts"; return 1; }
  sleep "$ERROR_WINDOW"
  after=$(request_counts "$host") || { log "$host: cannot read the request counts"; return 1; }
  read -r b_requests b_errors <<< "$before"
  read -r a_requests a_errors <<< "$after"
  requests=$((a_requests - b_requests)) errors=$((a_errors - b_errors))
  current=$(ratio "$errors" "$requests")
  if ((requests < ERROR_MIN_REQUESTS)); then
    log "$host: error gate: only $requests request(s) in ${ERROR_WINDOW}s; nothing to judge"
    return 0
  fi
  if awk -v c="$current" -v b="$baseline" -v rise="$ERROR_RATIO_RISE" 'BEGIN { exit !(c > b + rise) }'; then
    log "$host: error gate failed: $errors of $requests requests answered 5xx ($current; before: $baseline)"
    return 1
  fi
  log "$host: error gate passed: $errors of $requests requests answered 5xx ($current; before: $baseline)"
}

elb() {  # elb ACTION TARGET: register/deregister/wait for one target
  local action=$1 target=$2
  case $action in
    deregister) aws elbv2 deregister-targets --target-group-arn "$TARGET_GROUP_ARN" --targets "$target" ;;
    register) aws elbv2 register-targets --target-group-arn "$TARGET_GROUP_ARN" --targets "$target" ;;
    drained) aws elbv2 wait target-deregistered --target-group-arn "$TARGET_GROUP_ARN" --targets "$target" ;;
    in-service) aws elbv2 wait target-in-service --target-group-arn "$TARGET_GROUP_ARN" --targets "$target" ;;
  esac
}

rollback() {  # rollback INSTANCE HOST TARGET PREVIOUS
  local instance=$1 host=$2 target=$3 previous=$4
  if [[ -z $previous ]]; then
    log "$instance: ROLLBACK impossible: no previous tag recorded; the target stays out of service"
    return
  fi
  log "$instance: ROLLBACK to $previous"
  if start "$host" "$previous" && elb register "$target" && elb in-service "$target"; then
    log "$instance: back in service on $previous"
  else
    log "$instance: ROLLBACK FAILED: the target needs a person"
  fi
}

# --- the rollout --------------------------------------------------------------------------
mapfile -t targets < <(aws elbv2 describe-target-health --target-group-arn "$TARGET_GROUP_ARN" \
  --query 'TargetHealthDescriptions[].[Target.Id, Target.Port]' --output text)
((${#targets[@]})) || { log "no targets in $TARGET_GROUP_ARN"; exit 1; }
log "deploying $TAG to ${#targets[@]} target(s)"

shipped_files=("$COMPOSE_FILE" deploy/nginx-site.conf deploy/backup.sh deploy/restore.sh deploy/crontab)
for line in "${targets[@]}"; do
  read -r instance port <<< "$line"
  target="Id=$instance,Port=$port"
  query="Reservations[0].Instances[0].PublicIpAddress"
  [[ $ADDRESS == private ]] && query="Reservations[0].Instances[0].PrivateIpAddress"
  host=$(aws ec2 describe-instances --instance-ids "$instance" --query "$query" --output text)
  [[ -n $host && $host != None ]] || { log "$instance: no $ADDRESS address"; exit 1; }

  previous=$(current_tag "$host")
  log "$instance ($host): $previous -> $TAG"
  # What the running release answers (its whole life): the yardstick for the new one.
  if counts=$(request_counts "$host"); then
    read -r old_requests old_errors <<< "$counts"
    baseline=$(ratio "$old_errors" "$old_requests")
  else
    log "$instance: no request counts from the running release; its ratio counts as 0"
    baseline=0
  fi
  elb deregister "$target"
  if ! elb drained "$target"; then
    log "$instance: did not drain"
    elb register "$target" || true
    exit 1
  fi
  tar -C "$ROOT" -cf - "${shipped_files[@]}" | remote "$host" "tar -xf -"
  if ! start "$host" "$TAG"; then
    rollback "$instance" "$host" "$target" "$previous"
    exit 1
  fi
  elb register "$target"
  if ! elb in-service "$target"; then
    log "$instance: not in service on $TAG"
    elb deregister "$target" || true
    elb drained "$target" || true
    rollback "$instance" "$host" "$target" "$previous"
    exit 1
  fi
  if ! errors_steady "$host" "$baseline"; then
    log "$instance: answers more errors on $TAG than on $previous"
    elb deregister "$target" || true
    elb drained "$target" || true
    rollback "$instance" "$host" "$target" "$previous"
    exit 1
  fi
  log "$instance: in service on $TAG"
done
log "all targets run $TAG"
