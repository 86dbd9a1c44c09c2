"""Benchmarks: each ``bench_<topic>.py`` exposes ``run(size) -> list[dict]``; ``python -m bench`` runs all."""
