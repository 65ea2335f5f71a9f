"""Benchmarks: each measures ratios against its limit and the usual alternative in one run."""
