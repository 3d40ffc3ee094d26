#!/usr/bin/env bash
# End-to-end run. It starts a fresh PostgreSQL database, Redis, a Celery
# worker and daphne on 127.0.0.1, seeds catalog products from the Amazon
# data and drives the app with headless Chromium (journey.mjs). Everything
# started here is stopped on exit.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"

PY="${PY:-.venv/bin/python}"
CELERY="${CELERY:-.venv/bin/celery}"
DAPHNE="${DAPHNE:-.venv/bin/daphne}"
E2E_DATABASE_URL="${E2E_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/marketplace_e2e}"
E2E_REDIS_URL="${E2E_REDIS_URL:-redis://127.0.0.1:6379/5}"
# Without E2E_PORT, a port that is free now, so that parallel runs and
# other servers on this machine do not collide.
E2E_PORT="${E2E_PORT:-$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
DATA_DIR="${MARKETPLACE_DATA_DIR:-$ROOT/../shared/data}"
RAW_DIR="$DATA_DIR/amazon2023/electronics/raw"
WORK_DIR="$ROOT/var/e2e"

fail() { echo "e2e: $*" >&2; exit 1; }
log() { printf '\n== e2e: %s\n' "$*"; }

[ -f static/build/manifest.json ] || fail "static/build/manifest.json is missing; run \`make frontend\` first."
[ -x "$CHROMIUM" ] || fail "$CHROMIUM was not found; install Debian's chromium package (apt-get install chromium fonts-noto-cjk)."
[ -f "$RAW_DIR/meta_Electronics.head500.jsonl" ] || fail "$RAW_DIR/meta_Electronics.head500.jsonl was not found; set MARKETPLACE_DATA_DIR to the directory that holds amazon2023/."
case "$E2E_DATABASE_URL" in
  postgres://*@127.0.0.1:*/*|postgres://*@localhost:*/*) ;;
  *) fail "E2E_DATABASE_URL=$E2E_DATABASE_URL must be a PostgreSQL URL on 127.0.0.1 or localhost, because the run drops and recreates that database." ;;
esac
DB_NAME="${E2E_DATABASE_URL##*/}"
DB_SERVER="${E2E_DATABASE_URL%/*}"

rm -rf "$WORK_DIR"
mkdir -p "$WORK_DIR"
PIDS=()
cleanup() {
  local status=$?
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  if [ "$status" -ne 0 ]; then
    echo "e2e: failed (exit $status); server and worker logs are in $WORK_DIR" >&2
  fi
}
trap cleanup EXIT

export DEBUG=false
SECRET_KEY="e2e-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export SECRET_KEY
export ALLOWED_HOSTS=127.0.0.1
export DATABASE_URL="$E2E_DATABASE_URL"
export REDIS_URL="$E2E_REDIS_URL"
export CELERY_BROKER_URL="$E2E_REDIS_URL"
# `manage.py train` reads the task state, which needs a result backend.
export CELERY_RESULT_BACKEND="$E2E_REDIS_URL"
export STATIC_ROOT="$WORK_DIR/static"
export MEDIA_ROOT="$WORK_DIR/media"
# The journey's photos and avatar are shown from /media/.
export SERVE_MEDIA=true
# The journey reads the verification mail of its sign-up from here.
export EMAIL_FILE_PATH="$WORK_DIR/mail"
export RECOMMENDER_ARTIFACT_DIR="$WORK_DIR/recommender"
export MARKETPLACE_DEFAULT_CURRENCY=KRW
export LOG_LEVEL=INFO
E2E_PASSWORD="e2e-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export E2E_PASSWORD

log "database $DB_NAME"
# A UTF-8 locale, because pg_trgm drops Hangul under the C locale.
psql "$DB_SERVER/postgres" -v ON_ERROR_STOP=1 -q \
  -c "DROP DATABASE IF EXISTS \"$DB_NAME\" WITH (FORCE)" \
  -c "CREATE DATABASE \"$DB_NAME\" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
redis-cli -u "$E2E_REDIS_URL" flushdb >/dev/null

log "migrate, collect static files, import the catalog, seed"
"$PY" manage.py migrate --noinput >"$WORK_DIR/migrate.log"
"$PY" manage.py collectstatic --noinput >"$WORK_DIR/collectstatic.log"
"$PY" manage.py import_amazon "$RAW_DIR/meta_Electronics.head500.jsonl" "$RAW_DIR/Electronics.head500.jsonl"
"$PY" manage.py seed_demo --listings 60 --sellers 2 --buyers 1 --password "$E2E_PASSWORD" >"$WORK_DIR/seed.log"
"$PY" manage.py create_account e2e-buyer --email e2e-buyer@example.com --password-env E2E_PASSWORD

log "TailNet session model, trained beside the worker"
# The command trains in this process; the server must start with a
# promoted version, so it is waited for before daphne starts.
"$PY" manage.py train_tailnet --epochs 2 --threads 1 >"$WORK_DIR/tailnet.log" 2>&1 &
TAILNET_PID="$!"
PIDS+=("$TAILNET_PID")

log "Celery worker"
# Without --queues the worker takes the default queue (training) and the
# suggestion pushes' queue, as CELERY_TASK_QUEUES lists them.
"$CELERY" -A marketplace worker --pool=solo --loglevel=INFO --without-gossip \
  --without-mingle >"$WORK_DIR/worker.log" 2>&1 &
PIDS+=("$!")
for _ in $(seq 60); do
  grep -q "ready" "$WORK_DIR/worker.log" && break
  kill -0 "${PIDS[-1]}" 2>/dev/null || fail "the Celery worker exited; see $WORK_DIR/worker.log"
  sleep 1
done
grep -q "ready" "$WORK_DIR/worker.log" || fail "the Celery worker was not ready after 60 s; see $WORK_DIR/worker.log"
# Queued on the broker; the worker trains, promotes and embeds the listings.
"$PY" manage.py train two_tower --epochs 2

wait "$TAILNET_PID" || fail "train_tailnet failed; see $WORK_DIR/tailnet.log"
cat "$WORK_DIR/tailnet.log"

log "daphne on 127.0.0.1:$E2E_PORT"
# A bind checks whether the port is taken without sending anything to
# whatever listens there.
if ! "$PY" -c 'import socket, sys; socket.socket().bind(("127.0.0.1", int(sys.argv[1])))' "$E2E_PORT" 2>/dev/null; then
  fail "another server already listens on 127.0.0.1:$E2E_PORT; set E2E_PORT to a free port."
fi
"$DAPHNE" -b 127.0.0.1 -p "$E2E_PORT" marketplace.asgi:application >"$WORK_DIR/server.log" 2>&1 &
PIDS+=("$!")
for _ in $(seq 60); do
  curl -fs -o /dev/null "http://127.0.0.1:$E2E_PORT/app/" && break
  kill -0 "${PIDS[-1]}" 2>/dev/null || fail "daphne exited; see $WORK_DIR/server.log"
  sleep 1
done
curl -fsS -o /dev/null "http://127.0.0.1:$E2E_PORT/app/" || fail "the server did not answer on port $E2E_PORT after 60 s"

log "browser journey"
# An iPhone-style HEIC photo, which Node cannot encode; pillow-heif can.
mkdir -p "$WORK_DIR/images"
"$PY" - "$WORK_DIR/images/phone.heic" <<'PYTHON'
import sys

import pillow_heif
from PIL import Image

pillow_heif.register_heif_opener()
Image.new("RGB", (80, 60), (0, 128, 128)).save(sys.argv[1], format="HEIF", quality=50)
PYTHON
DEMO_BUYER="$(awk '$1 == "buyer" {print $2; exit}' "$WORK_DIR/seed.log")"
[ -n "$DEMO_BUYER" ] || fail "seed_demo printed no demo buyer; see $WORK_DIR/seed.log"
BASE_URL="http://127.0.0.1:$E2E_PORT" CHROMIUM="$CHROMIUM" DEMO_BUYER="$DEMO_BUYER" \
  SCREENSHOT_DIR="$ROOT/docs/screenshots" MAIL_DIR="$EMAIL_FILE_PATH" IMAGE_DIR="$WORK_DIR/images" \
  node frontend/e2e/journey.mjs
log "passed"
