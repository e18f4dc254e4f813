#!/usr/bin/env bash
# Start Odoo on http://127.0.0.1:8069 with the addon installed in a demo database
# (created with Odoo's and the addon's demo data the first time, updated afterwards).
# Log in as admin / admin.
#   PCR_DB=...     the database name (default: print_demo)
#   PCR_PORT=...   the HTTP port (default: 8069)
# Extra arguments go to Odoo (e.g. --dev=xml).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

"$REPO_ROOT/scripts/setup.sh"
ensure_postgres
PY=$(odoo_python)
ADDONS=$(odoo_addons_dir "$PY")
DB="${PCR_DB:-print_demo}"
PORT="${PCR_PORT:-8069}"

common_args=(--addons-path="$ADDONS,$REPO_ROOT" --database="$DB" --db-filter="^${DB}\$"
    --http-interface=127.0.0.1 --http-port="$PORT")

if psql -lqt 2>/dev/null | cut -d'|' -f1 | grep -qw "$DB"; then
    say "Updating print_change_request in database $DB..."
    "$PY" -m odoo "${common_args[@]}" --update=print_change_request --stop-after-init --log-level=warn
else
    say "Creating database $DB with demo data (takes a minute or two)..."
    "$PY" -m odoo "${common_args[@]}" --init=print_change_request --stop-after-init --log-level=warn
fi
say "Odoo runs on http://127.0.0.1:$PORT (database $DB, login admin / admin). Ctrl+C stops it."
exec "$PY" -m odoo "${common_args[@]}" "$@"
