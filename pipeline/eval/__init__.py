"""Evaluations on the development data: `python -m pipeline.eval NAME`."""
