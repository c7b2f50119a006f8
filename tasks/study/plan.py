"""Session plans: which runs a participant gets, in which order, with practice, catch trials
and breaks.

Two protocols:
- single-pass: every selected item once. The run of each item is counterbalanced across the
  cohort: participant k gets run (k + offset(item)) mod n_runs(item), so any n_runs consecutive
  participants cover every run of every item exactly once.
- full-robust: every run of every item, as models get them, with the runs of one item at least
  ``min_run_spacing`` trials apart.

Everything random comes from generators seeded by a hash of (seed, participant code, ...), so
the same seed, participant code and cohort index always give the same plan.
"""
from __future__ import annotations

import hashlib
import heapq
import json
import random
from collections import defaultdict, deque
from dataclasses import asdict, dataclass, field

from tasks.adaptive.settings import AdaptiveProtocolError, check_protocol
from tasks.dataset.item_checks import ItemReferenceError, digital_reference
from tasks.dataset.items import VARIANT_SOURCE, Item, family_of
from tasks.dataset.loader import Dataset
from tasks.dataset.runs import Run, make_run, n_runs

PROTOCOLS = ("single-pass", "full-robust")
# shared: every participant gets the same test items (all, or one stratified subset);
# cover: each participant gets a share, and the cohort answers every run K times (tasks.cover)
DESIGNS = ("shared", "cover")
# written to the stored protocol_json only when they differ from their defaults, so studies
# made before these fields existed read and store exactly as before
_OMITTED_AT_DEFAULT = ("design", "responses_per_run", "session_minutes")
DEFAULT_REFERENCE_DBFS = -20.0
DEFAULT_REFERENCE_DB_SPL = 70.0


class PlanError(ValueError):
    """A protocol that cannot be planned on this dataset; the message says why."""


@dataclass
class Protocol:
    mode: str = "single-pass"
    variants: list[str] = field(default_factory=lambda: ["pc", "tr", "sr"])
    items_per_group: int | None = None  # stratified subset: N items per sub-category (or category)
    practice_per_block: int = 2  # from items outside the test set
    catch_every: int = 0  # one catch trial (a repeated run) after every N test trials; 0 = none
    break_every: int = 40  # a break screen before every Nth trial; 0 = none
    max_replays: int = 2
    min_run_spacing: int = 3  # full-robust: runs of one item at least this many trials apart
    seed: int = 0
    # The dataset's digital reference: a sine at reference_dbfs is meant as reference_db_spl.
    # -20 dBFS = 70 dB SPL is for datasets that declare none (STAR-Bench v1.0 does not); a
    # dataset that declares one (the built-in bank: -30 dBFS = 70 dB SPL in every item's
    # params.digital_reference) gives a new study its own (protocol_for), and items that
    # state their own are played by it whatever the study says (tasks.presentation.presenter).
    reference_dbfs: float = DEFAULT_REFERENCE_DBFS
    reference_db_spl: float = DEFAULT_REFERENCE_DB_SPL
    # Hearing safety and memory: a clip whose file header says it is longer than this is refused
    # before its samples are read (a WAV header can promise gigabytes).
    max_clip_duration_s: float = 600.0
    # Adaptive threshold blocks (tasks.adaptive, docs/adaptive.md), after the other blocks: one
    # per dimension named here; empty = none. Left at their defaults these fields are not
    # written to the stored protocol_json, so studies without adaptive blocks read and store
    # exactly as before.
    adaptive_dimensions: list[str] = field(default_factory=list)
    adaptive_procedure: str = "quest+"  # quest+, 2down1up, 3down1up
    adaptive_max_trials: int = 60
    adaptive_stop_ci_width_ratio: float = 0.0  # stop once (ci_high - ci_low) / threshold <= this; 0 = off
    adaptive_min_trials: int = 20
    adaptive_start_step_factor: float = 2.0
    adaptive_reversals_per_halving: int = 2
    adaptive_step_halvings: int = 2
    adaptive_threshold_reversals: int = 6
    # The study design (docs/cover-design.md). session_minutes is the longest session the lab
    # allows: the Study page warns above it, and a cover share is made to fit in it.
    design: str = "shared"
    responses_per_run: int = 3  # cover: answers each run gets, from that many participants
    session_minutes: float = 60.0

    def __post_init__(self) -> None:
        if self.mode not in PROTOCOLS:
            raise PlanError(f"protocol must be one of {', '.join(PROTOCOLS)}, not {self.mode!r}")
        for v in self.variants:
            if v not in VARIANT_SOURCE:
                raise PlanError(f"unknown variant {v!r}; known: {', '.join(VARIANT_SOURCE)}")
        if self.items_per_group is not None and self.items_per_group < 1:
            raise PlanError("items_per_group must be at least 1")
        for name in ("practice_per_block", "catch_every", "break_every", "max_replays", "min_run_spacing"):
            if getattr(self, name) < 0:
                raise PlanError(f"{name} cannot be negative")
        limit = self.max_clip_duration_s
        if isinstance(limit, bool) or not isinstance(limit, (int, float)) or not 0 < limit < float("inf"):
            raise PlanError(f"max_clip_duration_s must be a positive number of seconds, not {limit!r}")
        if self.design not in DESIGNS:
            raise PlanError(f"design must be one of {', '.join(DESIGNS)}, not {self.design!r}")
        k = self.responses_per_run
        if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= 1000:
            raise PlanError(f"responses_per_run must be a whole number from 1 to 1000, not {k!r}")
        minutes = self.session_minutes
        if isinstance(minutes, bool) or not isinstance(minutes, (int, float)) or not 1 <= minutes <= 24 * 60:
            raise PlanError(f"session_minutes must be a number of minutes from 1 to 1440, not {minutes!r}")
        try:
            check_protocol(self)
        except AdaptiveProtocolError as exc:
            raise PlanError(str(exc)) from None

    def to_json(self) -> str:
        fields_ = asdict(self)
        defaults = asdict(Protocol())
        for name in [n for n in fields_ if (n.startswith("adaptive_") or n in _OMITTED_AT_DEFAULT)
                     and fields_[n] == defaults[n]]:
            del fields_[name]
        return json.dumps(fields_, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "Protocol":
        return cls(**json.loads(text))


def declared_reference(dataset: Dataset) -> tuple[float, float] | None:
    """(reference_dbfs, reference_db_spl) when every item of the dataset declares the same
    digital reference in ``params.digital_reference`` (the built-in bank does); else None."""
    found: set[tuple[float, float]] = set()
    for items in dataset.items.values():
        for item in items:
            try:
                ref = digital_reference(item.extra.get("params"))
            except ItemReferenceError:  # such an item is set aside by the validator, never played
                return None
            if ref is None:
                return None
            found.add((ref.reference_dbfs, ref.reference_db_spl))
            if len(found) > 1:
                return None
    return found.pop() if found else None


def protocol_for(dataset: Dataset, **fields) -> Protocol:
    """A new study's protocol on this dataset: the dataset's declared digital reference unless
    ``fields`` name one, else the Protocol defaults."""
    declared = declared_reference(dataset)
    if declared is not None and "reference_dbfs" not in fields and "reference_db_spl" not in fields:
        fields = dict(fields, reference_dbfs=declared[0], reference_db_spl=declared[1])
    return Protocol(**fields)


@dataclass(frozen=True)
class PlanTrial:
    position: int
    block: int
    run: Run
    kind: str = "test"  # test, practice, catch
    catch_of: int | None = None
    break_before: bool = False


def rng_for(*parts: object) -> random.Random:
    """A generator seeded by a stable hash of its parts (unlike hash(), the same across runs)."""
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()
    return random.Random(int(digest[:16], 16))


def select_items(dataset: Dataset, protocol: Protocol) -> dict[str, list[Item]]:
    """The test items of each variant: all, or a stratified random N per group. The same for
    every participant of a study (it depends on the study seed only)."""
    out = {}
    for variant in protocol.variants:
        source = VARIANT_SOURCE[variant]
        items = sorted(dataset.items.get(source, []), key=lambda i: i.id)
        if not items:
            raise PlanError(f"variant {variant}: the dataset has no valid {source} items")
        if protocol.items_per_group is None:
            out[variant] = items
            continue
        groups: dict[str, list[Item]] = defaultdict(list)
        for it in items:
            groups[it.group].append(it)
        chosen = []
        for group in sorted(groups):
            members = groups[group]
            k = min(protocol.items_per_group, len(members))
            chosen.extend(rng_for(protocol.seed, "select", variant, group).sample(members, k))
        out[variant] = sorted(chosen, key=lambda i: i.id)
    return out


def practice_items(dataset: Dataset, protocol: Protocol, selected: dict[str, list[Item]]) -> dict[str, list[Item]]:
    """Practice items come from outside the test set of their variant (none if all are used)."""
    out = {}
    for variant in protocol.variants:
        used = {i.id for i in selected[variant]}
        spare = sorted((i for i in dataset.items.get(VARIANT_SOURCE[variant], []) if i.id not in used),
                       key=lambda i: i.id)
        k = min(protocol.practice_per_block, len(spare))
        out[variant] = rng_for(protocol.seed, "practice", variant).sample(spare, k)
    return out


def practice_shortfall(dataset: Dataset, protocol: Protocol) -> dict[str, str]:
    """Variants that get fewer practice trials than ``practice_per_block`` asks, each with why
    (practice items come only from outside the test set, so a variant whose items are all
    tested has none). Test items are never held out for practice: that would change the
    test set of studies already under way. For the Study page to show before anyone is tested."""
    if protocol.practice_per_block <= 0:
        return {}
    selected = select_items(dataset, protocol)
    practice = practice_items(dataset, protocol, selected)
    out = {}
    for variant in protocol.variants:
        n, asked = len(practice[variant]), protocol.practice_per_block
        if n >= asked:
            continue
        source = VARIANT_SOURCE[variant]
        total = len(dataset.items.get(source, []))
        got = "no practice" if n == 0 else f"only {n} practice trial{'s' if n != 1 else ''}"
        out[variant] = (f"{variant}: {got} instead of {asked}: {len(selected[variant])} of the dataset's {total} "
                        f"{source} items are tested and practice uses only items outside the test set; select "
                        f"fewer items per group to leave some for practice")
    return out


def single_pass_run(item: Item, cohort_index: int, seed: int, variant: str) -> int:
    offset = rng_for(seed, "offset", variant, item.id).randrange(n_runs(item))
    return (cohort_index + offset) % n_runs(item)


def space_runs(runs: list[Run], min_spacing: int, rng: random.Random) -> list[Run]:
    """Order runs so that two runs of one item are at least ``min_spacing`` positions apart.
    Greedy: at each position take, among items allowed there, one with the most runs left
    (ties broken at random), the classic greedy for "k apart" rearrangements. A heap of the
    allowed items and a queue of the cooling-down ones keep it O(runs log items)."""
    remaining: dict[str, list[Run]] = defaultdict(list)
    for run in runs:
        remaining[run.item.id].append(run)
    for item_runs in remaining.values():
        rng.shuffle(item_runs)
    allowed = [(-len(rs), rng.random(), item_id) for item_id, rs in sorted(remaining.items())]
    heapq.heapify(allowed)
    cooling: deque[tuple[int, tuple[int, float, str]]] = deque()  # (allowed again at position, entry)
    order: list[Run] = []
    for pos in range(len(runs)):
        while cooling and cooling[0][0] <= pos:
            heapq.heappush(allowed, cooling.popleft()[1])
        if not allowed:
            most = max(len(rs) for rs in remaining.values())
            raise PlanError(
                f"cannot keep the runs of one item {min_spacing} trials apart: {len(remaining)} items "
                f"with up to {most} runs each; lower min_run_spacing or select more items")
        _, _, item_id = heapq.heappop(allowed)
        order.append(remaining[item_id].pop())
        if remaining[item_id]:
            cooling.append((pos + max(min_spacing, 1), (-len(remaining[item_id]), rng.random(), item_id)))
    return order


def make_plan(dataset: Dataset, protocol: Protocol, participant_code: str, cohort_index: int) -> list[PlanTrial]:
    selected = select_items(dataset, protocol)
    practice = practice_items(dataset, protocol, selected)
    trials: list[PlanTrial] = []

    def add(block: int, run: Run, kind: str, catch_of: int | None = None) -> None:
        pos = len(trials)
        brk = bool(protocol.break_every) and pos > 0 and pos % protocol.break_every == 0
        trials.append(PlanTrial(pos, block, run, kind, catch_of, brk))

    for block, variant in enumerate(protocol.variants):
        rng = rng_for(protocol.seed, participant_code, cohort_index, "order", variant)
        for item in practice[variant]:
            add(block, make_run(item, variant, rng.randrange(n_runs(item))), "practice")
        if protocol.mode == "single-pass":
            runs = [make_run(i, variant, single_pass_run(i, cohort_index, protocol.seed, variant))
                    for i in selected[variant]]
            rng.shuffle(runs)
        else:
            runs = [make_run(i, variant, r) for i in selected[variant] for r in range(n_runs(i))]
            runs = space_runs(runs, protocol.min_run_spacing, rng)
        test_positions: list[int] = []
        for k, run in enumerate(runs, start=1):
            add(block, run, "test")
            test_positions.append(trials[-1].position)
            if protocol.catch_every and k % protocol.catch_every == 0 and k < len(runs):
                original = trials[rng.choice(test_positions[:-1] or test_positions)]
                add(block, original.run, "catch", original.position)
    return trials


def plan_size(dataset: Dataset, protocol: Protocol) -> dict[str, int]:
    """Trials of each kind per participant, without planning (the Study page asks on every
    change, and a full-robust plan of the whole dataset takes a moment)."""
    selected = select_items(dataset, protocol)
    practice = practice_items(dataset, protocol, selected)
    size = {"test": 0, "practice": 0, "catch": 0}
    for variant, items in selected.items():
        n_test = len(items) if protocol.mode == "single-pass" else sum(n_runs(i) for i in items)
        size["test"] += n_test
        size["practice"] += len(practice[variant])
        if protocol.catch_every:
            size["catch"] += (n_test - 1) // protocol.catch_every
    return size


def block_instructions(variant: str) -> str:
    family = family_of(variant)
    if family == "pc":
        text = ("In this part you will hear simple sounds, sometimes two in a row. Listen, then answer "
                "the question about pitch, loudness, duration, direction or distance.")
    elif family == "tr":
        text = ("In this part you will hear three clips cut from one recording, in shuffled order. "
                "Decide in which order they really happened.")
        if variant == "tr_uncut":
            text += " First you will hear the whole uncut recording."
        if variant == "tr_cap":
            text += " A short description of the whole scene is shown."
    else:
        text = "In this part you will hear scenes in space. Answer where the sounds are or how they move."
        if variant == "sr_ch":
            text += (" Each scene is split into two clips: Audio 1 is what the left ear heard, Audio 2 what "
                     "the right ear heard; each is played to both ears.")
    return text
