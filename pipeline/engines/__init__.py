"""Execution engines besides the local process pool (pipeline/runner.py): each plugs a `process` into runner.run."""
