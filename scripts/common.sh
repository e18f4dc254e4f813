# Shared helpers for the scripts in this folder.  Source it; do not run it.
# Settings (environment variables, all optional):
#   PCR_ODOO_SRC   where Odoo 18 is cloned when no Odoo is installed (default: ~/.local/share/print_change_request/odoo-18.0)
#   PCR_VENV       the virtualenv made for that Odoo (default: ~/.local/share/print_change_request/venv)
#   PCR_PYTHON     the Python to use, when you know better than the detection below
#   PGHOST/PGPORT/PGUSER/PGPASSWORD   the PostgreSQL to use, as for psql
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PCR_HOME="${PCR_HOME:-$HOME/.local/share/print_change_request}"
PCR_ODOO_SRC="${PCR_ODOO_SRC:-$PCR_HOME/odoo-18.0}"
PCR_VENV="${PCR_VENV:-$PCR_HOME/venv}"
ODOO_GIT_URL="${ODOO_GIT_URL:-https://github.com/odoo/odoo.git}"
VAR_DIR="$REPO_ROOT/var"

say() { printf '%s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

# The Python that can `import odoo` (version 18), or nothing.
odoo_python() {
    local candidates=()
    [[ -n ${PCR_PYTHON:-} ]] && candidates+=("$PCR_PYTHON")
    [[ -x $PCR_VENV/bin/python ]] && candidates+=("$PCR_VENV/bin/python")
    local odoo_cmd
    if odoo_cmd=$(command -v odoo 2>/dev/null); then
        # Follow pyenv-style shims to the real script, then read its interpreter.
        if command -v pyenv >/dev/null 2>&1 && pyenv which odoo >/dev/null 2>&1; then
            odoo_cmd=$(pyenv which odoo)
        fi
        local shebang
        shebang=$(head -1 "$odoo_cmd" 2>/dev/null | sed -n 's/^#!//p')
        [[ -n $shebang && $shebang != *" "* && -x $shebang ]] && candidates+=("$shebang")
    fi
    candidates+=(python3 python)
    local py
    for py in "${candidates[@]}"; do
        if "$py" -c 'import odoo.release as r, sys; sys.exit(0 if r.version_info[0] == 18 else 1)' >/dev/null 2>&1; then
            command -v "$py"
            return 0
        fi
    done
    return 1
}

# How to start Odoo with Python "$1": sets the array ODOO_CMD.  Not `python -m odoo`: with
# --workers, Odoo's master re-runs its own script (sys.argv[0]) as `<script> gevent` for the
# live-notification process, and `odoo/__main__.py` cannot be run that way (ImportError, in a
# loop).  Odoo's own launcher script (`odoo` in the virtualenv, or `odoo-bin` beside the
# source) can.
odoo_launcher() {
    local py=$1 script
    for script in "$(dirname "$py")/odoo" "$("$py" -c 'import os, odoo; print(os.path.dirname(os.path.dirname(os.path.realpath(odoo.__file__))))')/odoo-bin"; do
        if [[ -f $script ]] && head -c 2 "$script" | grep -q '#!'; then
            ODOO_CMD=("$py" "$script")
            return 0
        fi
    done
    say "warning: no Odoo launcher script (odoo or odoo-bin) found; multi-worker mode (--workers) will not work"
    ODOO_CMD=("$py" -m odoo)
}

# Odoo's add-ons folder (the one holding `account`), for --addons-path.
odoo_addons_dir() {
    "$1" - <<'PY'
import os, odoo
pkg = os.path.dirname(odoo.__file__)
for cand in (os.path.join(os.path.dirname(pkg), "addons"), os.path.join(pkg, "addons")):
    if os.path.isdir(os.path.join(cand, "account")):
        print(os.path.realpath(cand))
        break
else:
    raise SystemExit("cannot find Odoo's add-ons (the 'account' module) next to " + pkg)
PY
}

# Start PostgreSQL when it does not answer and this machine can start it.
ensure_postgres() {
    if pg_isready -q 2>/dev/null; then
        return 0
    fi
    say "PostgreSQL does not answer; trying to start it..."
    if command -v pg_ctlcluster >/dev/null 2>&1 && [[ -d /etc/postgresql ]]; then
        local version
        for version in /etc/postgresql/*; do
            pg_ctlcluster --skip-systemctl-redirect "$(basename "$version")" main start || true
        done
    elif command -v systemctl >/dev/null 2>&1; then
        systemctl start postgresql || true
    fi
    local i
    for i in $(seq 1 30); do
        pg_isready -q 2>/dev/null && return 0
        sleep 1
    done
    die "PostgreSQL is not running. Start it (or set PGHOST/PGPORT/PGUSER) and try again."
}

# A free TCP port on 127.0.0.1, below the range the kernel gives outgoing connections (one
# of Odoo's own connections to PostgreSQL could take a port picked from it before Odoo listens).
free_port() {
    python3 "$REPO_ROOT/tests/load/processes.py"
}

# Whether "$1" answers an HTTP 2xx within 2 seconds.
http_ok() {
    python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' "$1" \
        >/dev/null 2>&1
}

# The browser Odoo's tours need.
find_chromium() {
    local name
    for name in chromium chromium-browser google-chrome google-chrome-stable; do
        command -v "$name" >/dev/null 2>&1 && { command -v "$name"; return 0; }
    done
    return 1
}
