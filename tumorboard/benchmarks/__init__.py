"""Benchmarks at the scale of a large cancer center: the synthetic program and the measurements (`make bench`)."""
