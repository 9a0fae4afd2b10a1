"""kumar24: Kumar, Bordelon, Gershman, Pehlevan, "Grokking as the transition from lazy to rich
training dynamics" (ICLR 2024) as a pack (docs/papers/kumar24.md)."""
