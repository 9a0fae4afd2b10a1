"""mohamadi24: Mohamadi, Li, Wu, Sutherland, "Why do you grok? A theoretical analysis of
grokking modular addition" (ICML 2024, arXiv 2407.12332) as a pack (docs/papers/mohamadi24.md)."""
