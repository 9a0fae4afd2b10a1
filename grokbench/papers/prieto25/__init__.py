"""prieto25: Prieto, Barsbey, Mediano, Birdal, "Grokking at the Edge of Numerical Stability"
(ICLR 2025) as a pack: Softmax Collapse, StableMax, ⊥Grad, naïve loss minimisation."""
