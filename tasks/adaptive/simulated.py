"""Adaptive blocks answered by a simulated participant (``simulate --adaptive``;
tasks.simulation.observers): no audio; the level played is the level asked (within the
dimension's range). Each answer is seeded by (study seed, participant code, dimension, trial
index), so an interrupted run, started again, ends with exactly the answers of an
uninterrupted one."""
from __future__ import annotations

from sqlalchemy.engine import Engine

from tasks.adaptive.blocks import LETTERS, AdaptiveBlockRunner, ensure_blocks
from tasks.simulation.observers import Observer
from tasks.study.plan import Protocol, rng_for


def simulated_answer(observer: Observer, seed: int, code: str, dimension: str, trial_index: int,
                     level: float, answer_letter: str) -> str:
    u = rng_for(seed, code, "adaptive-answer", dimension, trial_index).random()
    if bool(observer.answers_adaptive(dimension, level, u)):
        return answer_letter
    return LETTERS[1] if answer_letter == LETTERS[0] else LETTERS[0]


def run_simulated_blocks(engine: Engine, protocol: Protocol, observer: Observer, code: str,
                         session_id: int, stop_after: int | None = None) -> int:
    """Answer the session's unfinished adaptive blocks; returns the trials answered.
    ``stop_after`` stops after that many trials (to test interruptions)."""
    observer.check_adaptive(protocol.adaptive_dimensions)  # refused before anything is stored
    done = 0
    for block in ensure_blocks(engine, session_id, protocol):
        runner = AdaptiveBlockRunner(engine, block.id)
        while (plan := runner.next_trial()) is not None:
            if stop_after is not None and done >= stop_after:
                return done
            level = min(runner.dim.max_level, max(runner.dim.min_level, plan.level_asked))
            chosen = simulated_answer(observer, protocol.seed, code, plan.dimension, plan.trial_index, level,
                                      plan.answer_letter)
            runner.record(plan, level, chosen, {"simulated": True, "unit": plan.unit})
            done += 1
    return done
