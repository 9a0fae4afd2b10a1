"""grokbench: a benchmark and testing harness for grokking claims (Lyu et al., ICLR 2024)."""

__version__ = "0.1.0"
