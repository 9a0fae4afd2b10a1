"""levi24: Levi, Beck, Bar-Sinai, "Grokking in linear estimators – a solvable model that groks
without understanding" (ICLR 2024) as a pack (docs/papers/levi24.md)."""
