"""Load and fault harness of print_change_request (see run_load.py)."""
