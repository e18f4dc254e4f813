#!/usr/bin/env bash
# ruff (lint and format) and pylint-odoo over the addons (print_change_request and
# print_change_request_stripe) and the scripts.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
"$REPO_ROOT/scripts/setup.sh" --dev
PY=$(odoo_python)
cd "$REPO_ROOT"
"$PY" -m ruff check print_change_request print_change_request_stripe scripts tests
"$PY" -m ruff format --check print_change_request print_change_request_stripe scripts tests
# pylint-odoo's checks, consider-merging-classes-inherited included: one model, one file.
"$PY" -m pylint --rcfile=.pylintrc print_change_request print_change_request_stripe
echo "lint: ruff and pylint-odoo report nothing"
