"""Expansion of an item into the runs the model evaluation uses (STARBENCH.md section 3).

pc and sr rotate the options; tr permutes the three clips by a fixed round-robin rule and
derives the answer from the permutation. Variants change only what is presented around the
runs (an uncut recording first, a caption, the two ears as separate clips).
"""
from __future__ import annotations

import string
from dataclasses import dataclass

from tasks.dataset.items import Item, family_of, parse_temporal_id, printable, TEMPORAL_SUBS

PERMS: tuple[tuple[int, int, int], ...] = (
    (1, 2, 3),
    (1, 3, 2),
    (2, 1, 3),
    (2, 3, 1),
    (3, 1, 2),
    (3, 2, 1),
)
REASONING_RUNS = 3
MAX_OPTIONS = len(string.ascii_uppercase)  # options are lettered <A> .. <Z>
SR_CH_NOTE = "Audio 1 is the left-ear channel and Audio 2 the right-ear channel."


class RunError(ValueError):
    """An item that cannot be presented as a run (its answer is not among the options)."""


def letter(index: int) -> str:
    """Option letter as the evaluation kit writes it: 0 -> '<A>'."""
    if not 0 <= index < MAX_OPTIONS:
        raise RunError(f"option {index + 1} has no letter: at most {MAX_OPTIONS} options (A-Z)")
    return f"<{string.ascii_uppercase[index]}>"


def letter_index(text: str) -> int:
    """'<B>' (or 'B') -> 1. Raises ValueError for anything else."""
    bare = text.strip().strip("<>").strip()
    if len(bare) != 1 or bare not in string.ascii_uppercase:
        raise ValueError(f"not an option letter: {text!r}")
    return string.ascii_uppercase.index(bare)


def rotate_options(options: tuple[str, ...] | list[str], rotate_id: int) -> tuple[str, ...]:
    """presented = options[-r:] + options[:-r]; r = 0 keeps the order."""
    options = list(options)
    return tuple(options[-rotate_id:] + options[:-rotate_id])


def temporal_perm(item_id: str, rotate_id: int) -> tuple[int, int, int]:
    """The presented order of original segments: clip i plays segment perm[i-1]."""
    sub, number = parse_temporal_id(item_id)
    offset = (rotate_id % 6 + TEMPORAL_SUBS.index(sub)) % 6
    return PERMS[(number + offset) % 6]


def temporal_answer(perm: tuple[int, ...]) -> str:
    """For segments 1..3 in chronological order, the clip that carries each one."""
    clip_of_segment = {segment: clip for clip, segment in enumerate(perm, start=1)}
    return " -> ".join(f"clip {clip_of_segment[segment]}" for segment in sorted(clip_of_segment))


def n_runs(item: Item) -> int:
    return len(item.options) if item.family == "pc" else REASONING_RUNS


@dataclass(frozen=True)
class Clip:
    """One sound the participant can play. ``channel`` selects one channel of the file,
    played to both ears (sr_ch); None plays the file as it is."""

    label: str
    path: str  # relative to the dataset root
    channel: int | None = None


@dataclass(frozen=True)
class Run:
    variant: str
    item: Item
    rotate_id: int
    options: tuple[str, ...]  # as presented
    answer: str
    answer_letter: str
    clips: tuple[Clip, ...]
    context_clips: tuple[Clip, ...] = ()  # played before the clips (tr_uncut)
    caption: str | None = None  # shown as context (tr_cap)
    note: str | None = None  # presentation note (sr_ch)
    shuffled_seg_order: str | None = None

    @property
    def unique_id(self) -> str:
        return f"{self.item.id}@{self.rotate_id}"

    @property
    def letters(self) -> tuple[str, ...]:
        return tuple(letter(i) for i in range(len(self.options)))

    def option_for(self, chosen_letter: str) -> str:
        return self.options[letter_index(chosen_letter)]

    def is_correct(self, chosen_letter: str | None) -> bool:
        """A run without a valid answer is wrong (models get 'Z')."""
        if chosen_letter is None:
            return False
        try:
            return letter(letter_index(chosen_letter)) == self.answer_letter
        except ValueError:
            return False


def _stimulus_clips(item: Item, paths: tuple[str, ...], prefix: str) -> tuple[Clip, ...]:
    if len(paths) == 1 and prefix == "Audio":
        return (Clip("Audio", paths[0]),)
    return tuple(Clip(f"{prefix} {i}", p) for i, p in enumerate(paths, start=1))


def make_run(item: Item, variant: str, rotate_id: int) -> Run:
    family = family_of(variant)
    if family != item.family:
        raise ValueError(f"variant {variant!r} does not apply to {item.alias} item {item.id!r}")
    if not 0 <= rotate_id < n_runs(item):
        raise ValueError(f"rotate_id {rotate_id} out of range for {item.id!r} ({n_runs(item)} runs)")
    if family == "tr":
        perm = temporal_perm(item.id, rotate_id)
        answer = temporal_answer(perm)
        options = tuple(item.options)
        if answer not in options:
            raise RunError(f"item {item.id!r} run {rotate_id}: derived answer {answer!r} is not among the options")
        clips = _stimulus_clips(item, tuple(item.audio_paths[s - 1] for s in perm), "clip")
        context = ()
        if variant == "tr_uncut" and item.uncut_audio_path:
            context = (Clip("uncut recording", item.uncut_audio_path),)
        caption = item.global_caption if variant == "tr_cap" else None
        return Run(variant, item, rotate_id, options, answer, letter(options.index(answer)), clips,
                   context_clips=context, caption=caption, shuffled_seg_order="-".join(map(str, perm)))
    options = rotate_options(item.options, rotate_id)
    if item.answer not in options:
        raise RunError(f"item {item.id!r}: answer {item.answer!r} is not among the options")
    answer_letter = letter(options.index(item.answer))
    if variant == "sr_ch":
        if len(item.audio_paths) != 1:
            raise RunError(f"item {item.id!r}: sr_ch needs exactly one binaural file")
        path = item.audio_paths[0]
        clips = (Clip("Audio 1 (left-ear channel)", path, channel=0),
                 Clip("Audio 2 (right-ear channel)", path, channel=1))
        return Run(variant, item, rotate_id, options, item.answer, answer_letter, clips, note=SR_CH_NOTE)
    return Run(variant, item, rotate_id, options, item.answer, answer_letter,
               _stimulus_clips(item, item.audio_paths, "Audio"))


def expand_runs(item: Item, variant: str | None = None) -> list[Run]:
    """Every run of an item, r = 0 .. n-1, exactly as the model evaluation presents them."""
    variant = variant or item.alias
    return [make_run(item, variant, r) for r in range(n_runs(item))]


def format_run(run: Run) -> str:
    """A run as a person reads it: what is played, what is asked, which answer is right. Dataset
    text is printed with its control characters escaped (see tasks.dataset.items.printable)."""
    lines = [f"{run.unique_id}  ({run.variant}, rotate_id {run.rotate_id})"]
    for clip in run.context_clips:
        lines.append(f"  context  {clip.label}: {clip.path}")
    if run.caption:
        lines.append(f"  caption  {run.caption}")
    for clip in run.clips:
        suffix = "" if clip.channel is None else f" [channel {clip.channel + 1}, played to both ears]"
        lines.append(f"  play     {clip.label}: {clip.path}{suffix}")
    if run.note:
        lines.append(f"  note     {run.note}")
    if run.shuffled_seg_order:
        lines.append(f"  shuffled_seg_order {run.shuffled_seg_order}")
    lines.append(f"  question {run.item.question}")
    for lt, opt in zip(run.letters, run.options):
        mark = "  <- answer" if lt == run.answer_letter else ""
        lines.append(f"    {lt} {opt}{mark}")
    return "\n".join(printable(line) for line in lines)
