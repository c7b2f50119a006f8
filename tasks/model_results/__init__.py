"""Model results from the evaluation kit's work_dir, read for the comparison with humans.

Layout (STARBENCH.md section 5): <work_dir>/<model>/<alias>/infer_results.jsonl, one run per
line, and performance.json. These files come from outside and are read defensively: every line
is checked; a bad line is named (file:line: why) and skipped; a run given twice is counted once
and reported; ids the dataset does not have (when the dataset is known) are reported and left
out; ids without the kit's number of runs are reported. A model with nothing usable is refused
with the reason. Bad content never raises: it becomes a warning.
"""
