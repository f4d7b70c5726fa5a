# src/lp: sources, tests and benchmarks of this module.
