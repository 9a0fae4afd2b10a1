"""omnigrok23: Liu, Michaud, Tegmark, "Omnigrok: Grokking Beyond Algorithmic Data" (ICLR
2023, arXiv 2210.01117) as a pack (docs/papers/omnigrok23.md)."""
