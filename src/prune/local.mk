# src/prune: sources, tests and benchmarks of this module.
