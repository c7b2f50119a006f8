"""A STAR-Bench dataset folder: its items, the runs the model evaluation presents, paths kept inside
the dataset, loading and validation (STARBENCH.md sections 1-3)."""
