"""Benchmarks: run with `python -m bench` (or `make bench`). Prints figures, asserts nothing."""
