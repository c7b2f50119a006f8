"""The benchmark and the experiment: items, loaders, runs, plans, scoring. Pure Python + numpy."""
