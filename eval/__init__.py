"""Evaluation suite: datasets, metrics, runner, report and CLI."""
