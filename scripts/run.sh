#!/usr/bin/env bash
# Start Odoo on http://127.0.0.1:8069 with the addon (print_change_request and
# print_change_request_stripe) installed in a demo database
# (created with Odoo's and the addon's demo data the first time, updated afterwards).
# Log in as admin / admin.  A local fake Stripe (localstripe, 127.0.0.1:8420) runs beside it
# and the demo's Stripe provider points at it, so automatic refunds work without an account.
#   PCR_DB=...            the database name (default: print_demo)
#   PCR_PORT=...          the HTTP port (default: 8069)
#   PCR_STRIPE_PORT=...   localstripe's port (default: 8420); PCR_STRIPE_PORT=0: no fake Stripe
#   PCR_GEVENT_PORT=...   with --workers=N, the live-notification (gevent) port
#                         (default: the HTTP port + 3, so 8072 beside 8069, as Odoo's own default)
#   PCR_UPDATE=0          start on the existing database without updating the addon first
# Extra arguments go to Odoo (e.g. --dev=xml, --workers=2).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

"$REPO_ROOT/scripts/setup.sh" --demo
ensure_postgres
PY=$(odoo_python)
ADDONS=$(odoo_addons_dir "$PY")
odoo_launcher "$PY"
DB="${PCR_DB:-print_demo}"
PORT="${PCR_PORT:-8069}"
STRIPE_PORT="${PCR_STRIPE_PORT:-8420}"
GEVENT_PORT="${PCR_GEVENT_PORT:-$((PORT + 3))}"
[[ $GEVENT_PORT == "$PORT" ]] && die "PCR_GEVENT_PORT must differ from the HTTP port ($PORT)"

common_args=(--addons-path="$ADDONS,$REPO_ROOT" --database="$DB" --db-filter="^${DB}\$"
    --http-interface=127.0.0.1 --http-port="$PORT")

if psql -lqt 2>/dev/null | cut -d'|' -f1 | grep -qw "$DB"; then
    if [[ ${PCR_UPDATE:-1} != 0 ]]; then
        say "Updating print_change_request and print_change_request_stripe in database $DB..."
        # --init installs print_change_request_stripe into a database made before it existed
        # (nothing happens when it is installed already; --update then updates it).
        "${ODOO_CMD[@]}" "${common_args[@]}" --init=print_change_request_stripe \
            --update=print_change_request,print_change_request_stripe --stop-after-init \
            --log-level=warn
    fi
else
    say "Creating database $DB with demo data (takes a minute or two)..."
    # payment_demo: a test payment provider, so customers can pay again in the demo's portal
    # (not a dependency of the addon: production installs do not get it).
    # print_change_request_stripe: Stripe refunds, capture and webhooks (installed by itself
    # beside payment_stripe too: auto_install).
    "${ODOO_CMD[@]}" "${common_args[@]}" \
        --init=print_change_request,print_change_request_stripe,payment_demo \
        --stop-after-init --log-level=warn
fi

if [[ $STRIPE_PORT != 0 ]]; then
    mkdir -p "$VAR_DIR"
    # localstripe's own command listens on every interface: this runs it on 127.0.0.1 only
    "$PY" "$REPO_ROOT/print_change_request_stripe/tests/localstripe_local.py" "$STRIPE_PORT" \
        >"$VAR_DIR/localstripe.log" 2>&1 &
    stripe_pid=$!
    trap 'kill $stripe_pid 2>/dev/null || true' EXIT
    for _ in $(seq 1 50); do
        (echo >"/dev/tcp/127.0.0.1/$STRIPE_PORT") 2>/dev/null && break
        sleep 0.2
    done
    PCR_STRIPE_URL="http://127.0.0.1:$STRIPE_PORT" "${ODOO_CMD[@]}" shell "${common_args[@]}" \
        --log-level=warn --no-http <"$REPO_ROOT/scripts/demo_stripe.py"
fi
extra_args=()
[[ " $* " == *" --gevent-port"* ]] || extra_args+=(--gevent-port="$GEVENT_PORT")
say "Odoo runs on http://127.0.0.1:$PORT (database $DB, login admin / admin). Ctrl+C stops it."
"${ODOO_CMD[@]}" "${common_args[@]}" "${extra_args[@]}" "$@"
