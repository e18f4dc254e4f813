#!/usr/bin/env bash
# Run the addon's tests the way CI does: set up what is missing, install the addon with its
# demo data into a fresh database with --test-enable, run every test of the addon (Python
# tests and browser tours in Chromium), then judge the log (scripts/check_test_log.py).
# Fails on a failed or erroring test, on any ERROR/CRITICAL log line and on a skipped test.
#   TEST_TAGS=...   run a subset (Odoo --test-tags syntax), default: both addons
#                   (print_change_request and print_change_request_stripe)
#   KEEP_DB=1       keep the test database afterwards
#   PCR_LOAD_SECONDS=N  then run the load and fault harness (tests/load/run_load.py) N seconds;
#                   default 90 on a full run, 0 skips it; not run with TEST_TAGS unless set
#   PCR_RUN_SMOKE=1 also with TEST_TAGS: start `scripts/run.sh --workers=2` on the test
#                   database and check that Odoo's multi-worker mode (gevent included) comes up
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

"$REPO_ROOT/scripts/setup.sh" --test
ensure_postgres
PY=$(odoo_python)
ADDONS=$(odoo_addons_dir "$PY")
odoo_launcher "$PY"
CHROMIUM=$(find_chromium) || die "Chromium is missing: the tours cannot run"

mkdir -p "$VAR_DIR"
DB="pcr_test_$(date +%Y%m%d_%H%M%S)_$$"
LOG="$VAR_DIR/test.log"
PORT=$(free_port)
TEST_TAGS_GIVEN="${TEST_TAGS:-}"
TEST_TAGS="${TEST_TAGS:-/print_change_request,/print_change_request_stripe}"
# Odoo modules installed for the tests only (not dependencies of the addon): payment_demo
# gives the portal's payment tests and tour a test payment provider.
TEST_MODULES="${PCR_TEST_MODULES-payment_demo}"

cleanup() {
    if [[ -z ${KEEP_DB:-} ]]; then
        dropdb --if-exists "$DB" >/dev/null 2>&1 || true
    fi
}
trap cleanup EXIT

say "Testing print_change_request and print_change_request_stripe in database $DB (Odoo on port $PORT, $CHROMIUM); log: $LOG"
start=$(date +%s)
set +e
"${ODOO_CMD[@]}" \
    --addons-path="$ADDONS,$REPO_ROOT" \
    --database="$DB" \
    --init="print_change_request,print_change_request_stripe${TEST_MODULES:+,$TEST_MODULES}" \
    --test-enable \
    --test-tags="$TEST_TAGS" \
    --stop-after-init \
    --http-interface=127.0.0.1 \
    --http-port="$PORT" \
    --log-level=info \
    --max-cron-threads=0 \
    >"$LOG" 2>&1
odoo_rc=$?
set -e
elapsed=$(($(date +%s) - start))

grep -E "(ERROR|CRITICAL) |FAIL: |: skipped " "$LOG" | head -50 >&2 || true
say "Odoo exited with $odoo_rc after ${elapsed}s."
set +e
check_output=$(python3 "$REPO_ROOT/scripts/check_test_log.py" "$LOG")
check_rc=$?
set -e

# `make run` in multi-worker mode: scripts/run.sh --workers=2 on the test database (no update,
# no fake Stripe) must bring up the HTTP workers and the live-notification (gevent) process,
# with no traceback in its output.  A few seconds; its log: var/run_workers.log.
smoke_rc=0
if [[ -z $TEST_TAGS_GIVEN || -n ${PCR_RUN_SMOKE:-} ]]; then
    RUN_LOG="$VAR_DIR/run_workers.log"
    smoke_port=$(free_port)
    smoke_gevent=$(free_port)
    say "Starting scripts/run.sh --workers=2 for a moment (log: $RUN_LOG)..."
    PCR_DB=$DB PCR_PORT=$smoke_port PCR_GEVENT_PORT=$smoke_gevent PCR_STRIPE_PORT=0 PCR_UPDATE=0 \
        setsid "$REPO_ROOT/scripts/run.sh" --workers=2 --max-cron-threads=0 >"$RUN_LOG" 2>&1 &
    smoke_pid=$!
    smoke_up=0
    for _ in $(seq 1 120); do
        if http_ok "http://127.0.0.1:$smoke_port/web/health" &&
            http_ok "http://127.0.0.1:$smoke_gevent/websocket/health"; then
            smoke_up=1
            break
        fi
        kill -0 "$smoke_pid" 2>/dev/null || break
        sleep 0.5
    done
    # A crashing gevent process is restarted over and over: give it time to show.
    [[ $smoke_up == 1 ]] && sleep 5
    if [[ $smoke_up == 1 ]] &&
        ! http_ok "http://127.0.0.1:$smoke_gevent/websocket/health"; then
        smoke_up=0
    fi
    kill -TERM -- "-$smoke_pid" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 "$smoke_pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL -- "-$smoke_pid" 2>/dev/null || true
    wait "$smoke_pid" 2>/dev/null || true
    tracebacks=$(grep -c "Traceback" "$RUN_LOG" || true)
    if [[ $smoke_up != 1 || $tracebacks != 0 ]]; then
        say "scripts/run.sh --workers=2 did not come up cleanly (up: $smoke_up, tracebacks: $tracebacks); see $RUN_LOG."
        smoke_rc=1
    else
        say "scripts/run.sh --workers=2: HTTP workers and the gevent process up, no traceback."
    fi
fi

# The load and fault harness: two servers with workers, a faulty Stripe, killed workers; it
# checks the money invariants (tests/load/run_load.py --help).  Its summary comes before the
# test summary, which stays the last line.
load_rc=0
if [[ -n ${TEST_TAGS_GIVEN:-} ]]; then
    LOAD_SECONDS="${PCR_LOAD_SECONDS:-0}"
else
    LOAD_SECONDS="${PCR_LOAD_SECONDS:-90}"
fi
if [[ $LOAD_SECONDS != 0 ]]; then
    LOAD_LOG="$VAR_DIR/load.log"
    say "Load and fault harness for ${LOAD_SECONDS}s (log: $LOAD_LOG)..."
    set +e
    "$PY" "$REPO_ROOT/tests/load/run_load.py" --seconds "$LOAD_SECONDS" >"$LOAD_LOG" 2>&1
    load_rc=$?
    set -e
    sed -n '/^== load harness summary ==/,$p' "$LOAD_LOG"
    grep '^load: error' "$LOAD_LOG" >&2 || true
    [[ $load_rc -ne 0 ]] && say "The load harness failed (exit $load_rc); see $LOAD_LOG."
fi

printf '%s\n' "$check_output"
if [[ $odoo_rc -ne 0 || $check_rc -ne 0 || $load_rc -ne 0 || $smoke_rc -ne 0 ]]; then
    exit 1
fi
