#!/usr/bin/env bash
# Make this machine ready to run the addon:
#   - Odoo 18: the one already installed (importable by Python, or the `odoo` command), or,
#     when there is none, Odoo 18.0 from Odoo's official source (git clone) in a virtualenv;
#   - the addon's Python packages (requirements.txt);
#   - with --demo: the local fake Stripe the demo uses (localstripe);
#   - with --test: what the tests need too (requirements-test.txt, Chromium for the tours);
#   - with --dev: the linters (requirements-dev.txt).
# Safe to run again: it installs only what is missing.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

want_test=0
want_dev=0
want_demo=0
for arg in "$@"; do
    case $arg in
        --test) want_test=1 ;;
        --dev) want_dev=1 ;;
        --demo) want_demo=1 ;;
        *) die "unknown option $arg (use --demo, --test and/or --dev)" ;;
    esac
done

can_apt() { [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; }
apt_updated=0
apt_install() {
    if ! can_apt; then
        say "Please install these system packages (as root): $*"
        return 1
    fi
    if [[ $apt_updated -eq 0 ]]; then
        apt-get update -q >/dev/null
        apt_updated=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null
}

install_odoo_from_source() {
    say "No Odoo 18 found: installing Odoo 18.0 from $ODOO_GIT_URL into $PCR_ODOO_SRC"
    local deps=(git python3-dev python3-venv build-essential libpq-dev libldap2-dev libsasl2-dev
        libxml2-dev libxslt1-dev libjpeg-dev zlib1g-dev)
    local missing=()
    local pkg
    if command -v dpkg-query >/dev/null 2>&1; then
        for pkg in "${deps[@]}"; do
            dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
        done
        if [[ ${#missing[@]} -gt 0 ]]; then
            apt_install "${missing[@]}" || die "install the packages above, then run this again"
        fi
    fi
    if [[ ! -d $PCR_ODOO_SRC/.git ]]; then
        mkdir -p "$(dirname "$PCR_ODOO_SRC")"
        git clone --depth 1 --branch 18.0 "$ODOO_GIT_URL" "$PCR_ODOO_SRC"
    fi
    if [[ ! -x $PCR_VENV/bin/python ]]; then
        python3 -m venv "$PCR_VENV"
    fi
    # Old source packages of Odoo's pinned requirements (cbor2...) still need pkg_resources.
    local constraint="$PCR_HOME/build-constraints.txt"
    echo 'setuptools<70' >"$constraint"
    PIP_CONSTRAINT="$constraint" "$PCR_VENV/bin/python" -m pip install -q -r "$PCR_ODOO_SRC/requirements.txt"
    PIP_CONSTRAINT="$constraint" "$PCR_VENV/bin/python" -m pip install -q --no-deps -e "$PCR_ODOO_SRC"
}

if ! PY=$(odoo_python); then
    install_odoo_from_source
    PY=$(odoo_python) || die "Odoo 18 was installed but cannot be imported; see the messages above"
fi
ADDONS=$(odoo_addons_dir "$PY")

pip_install() {
    "$PY" -m pip install -q --disable-pip-version-check "$@" 2>&1 |
        grep -v -e "Running pip as the 'root' user" -e "is ignored: it is neither a file nor a directory" >&2 || true
    return "${PIPESTATUS[0]}"
}

requirements=(-r "$REPO_ROOT/requirements.txt")
[[ $want_test -eq 1 || $want_demo -eq 1 ]] && requirements+=(-r "$REPO_ROOT/requirements-test.txt")
[[ $want_dev -eq 1 ]] && requirements+=(-r "$REPO_ROOT/requirements-dev.txt")
pip_install "${requirements[@]}"

if [[ $want_test -eq 1 ]] && ! find_chromium >/dev/null; then
    say "Installing Chromium for the browser tests..."
    apt_install chromium || die "the browser tests need Chromium (Debian package 'chromium')"
fi

# The accessibility tests run axe-core (npm) in Chromium: tests/test_portal_accessibility.py
# reads it from $PCR_HOME/node/node_modules/axe-core/axe.min.js.
AXE_CORE_VERSION=4.10.3
if [[ $want_test -eq 1 && ! -f $PCR_HOME/node/node_modules/axe-core/axe.min.js ]]; then
    if ! command -v npm >/dev/null 2>&1; then
        say "Installing npm for axe-core (the accessibility tests)..."
        apt_install npm || die "the accessibility tests need npm (Debian package 'npm')"
    fi
    say "Installing axe-core $AXE_CORE_VERSION into $PCR_HOME/node..."
    npm install --prefix "$PCR_HOME/node" --no-audit --no-fund "axe-core@$AXE_CORE_VERSION" >/dev/null ||
        die "npm could not install axe-core"
fi

say "Odoo $("$PY" -c 'import odoo.release as r; print(r.version)') with $PY; add-ons in $ADDONS"
