# src/recon: sources, tests and benchmarks of this module.
