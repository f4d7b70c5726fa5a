# src/emit: sources, tests and benchmarks of this module.
