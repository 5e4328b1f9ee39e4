"""Synthetic data: a deterministic generator of realistic events, for benchmarks."""
