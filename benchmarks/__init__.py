"""grokbench's benchmark suite (pytest-benchmark): ``pytest benchmarks`` or ``nox -s bench``."""
