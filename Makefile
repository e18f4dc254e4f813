# Everyday commands; each one sets up what it needs first (scripts/setup.sh).
.PHONY: setup run test lint

setup:  ## install Odoo 18 when missing, and the addon's Python packages
	./scripts/setup.sh --test --dev

run:  ## start Odoo on http://127.0.0.1:8069 with the addon and demo data (admin / admin)
	./scripts/run.sh

test:  ## install the addon in a fresh database and run all its tests, tours included
	./scripts/test.sh

lint:  ## ruff and pylint-odoo
	./scripts/lint.sh
