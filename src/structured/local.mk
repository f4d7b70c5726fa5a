# src/structured: sources, tests and benchmarks of this module.
