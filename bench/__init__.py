"""Benchmarks (timings, latency, throughput); not part of the test suite."""
