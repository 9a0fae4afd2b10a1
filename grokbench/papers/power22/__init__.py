"""power22: Power, Burda, Edwards, Babuschkin, Misra, "Grokking: Generalization Beyond
Overfitting on Small Algorithmic Datasets" (arXiv 2201.02177) as a claim pack."""
