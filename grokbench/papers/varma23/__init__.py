"""varma23: Varma, Shah, Kenton, Kramár, Kumar, "Explaining grokking through circuit efficiency"
(arXiv 2309.02390) as a pack (docs/papers/varma23.md)."""
