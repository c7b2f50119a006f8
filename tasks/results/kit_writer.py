"""One work_dir of the model evaluation kit written as records stream in: infer_results.jsonl and
performance.json per variant, and the summary CSV."""
from __future__ import annotations

import csv
import json
from contextlib import ExitStack
from itertools import groupby
from operator import attrgetter
from pathlib import Path


from tasks.scoring.metrics import Performance, RunResult, score, summarize


WRITE_BUFFER_BYTES = 1 << 20  # large writes: an export of a big study writes gigabytes


class KitWriter:
    """One work_dir of the kit (infer_results.jsonl + performance.json per variant, and the
    summary CSV), written as records stream in; variants in order of first appearance. Only
    the small run results are kept for scoring, never the records."""

    def __init__(self, model_dir: Path, files: ExitStack):
        self.model_dir = model_dir
        self._stack = files
        self._files: dict[str, object] = {}
        self._results: dict[str, list[RunResult]] = {}
        self.runs = 0  # results scored by finish()

    def add(self, variant: str, line: str, result: RunResult) -> None:
        f = self._files.get(variant)
        if f is None:
            d = self.model_dir / variant
            d.mkdir(parents=True, exist_ok=True)
            f = self._files[variant] = self._stack.enter_context(
                open(d / "infer_results.jsonl", "w", encoding="utf-8", buffering=WRITE_BUFFER_BYTES))
            self._results[variant] = []
        f.write(line)
        self._results[variant].append(result)

    def add_many(self, variant: str, text: str, results: list[RunResult]) -> None:
        """Lines of one variant joined in one text, with their results in the same order."""
        if variant not in self._files:
            self.add(variant, text, results[0])
            self._results[variant] += results[1:]
            return
        self._files[variant].write(text)
        self._results[variant] += results

    def finish(self) -> dict[str, Performance]:
        for f in self._files.values():
            f.close()
        perfs = {}
        self.runs = sum(map(len, self._results.values()))
        for variant in list(self._results):
            perfs[variant] = score(variant, self._results.pop(variant))
            (self.model_dir / variant / "performance.json").write_text(
                json.dumps(perfs[variant].to_kit(), indent=4, ensure_ascii=False), encoding="utf-8")
        if perfs:
            write_summary_csv(self.model_dir / f"performance_summary_{'+'.join(perfs)}.csv", perfs)
        return perfs


_RUN, _CHANCE, _ALIAS = attrgetter("run"), attrgetter("chance"), attrgetter("run.alias")


def write_pieces(lines: list[str], pieces: list, writers: tuple[KitWriter, ...], chance: list[RunResult] | None):
    """A batch's kit lines with their pieces (tasks.results.export_rows.Piece) to each writer, in runs
    of one variant; the pieces' chance results to ``chance``."""
    start = 0
    for variant, same in groupby(map(_ALIAS, pieces)):
        end = start + len(list(same))
        text, runs = "".join(lines[start:end]), list(map(_RUN, pieces[start:end]))
        for writer in writers:
            writer.add_many(variant, text, runs)
        start = end
    if chance is not None:
        chance += map(_CHANCE, pieces)


def write_summary_csv(path: Path, perfs: dict[str, Performance]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")  # pandas' to_csv, as the kit writes it, ends lines with LF
        w.writerow(["Dataset", "AA", "ACR", "Samples"])
        for row in summarize(perfs):
            w.writerow([row.dataset, row.aa, row.acr, row.samples])
