"""gromov23: Gromov, "Grokking modular arithmetic" (arXiv 2301.02679) as a pack
(docs/papers/gromov23.md)."""
