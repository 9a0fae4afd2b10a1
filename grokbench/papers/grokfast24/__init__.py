"""grokfast24: Lee et al., "Grokfast: Accelerated Grokking by Amplifying Slow Gradients"."""
