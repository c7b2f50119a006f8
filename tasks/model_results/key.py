"""A model's run checked against the dataset's own key: the answer letter of the run (derived
from the item as the kit presents it), the category and the sub-category. A model file's fields
are its claims; where they disagree with the dataset, the dataset's values are used and the line
is named."""
from __future__ import annotations

from dataclasses import replace

from tasks.dataset.items import Item
from tasks.dataset.runs import RunError, letter_index, make_run
from tasks.model_results.text import quoted
from tasks.scoring.metrics import RunResult


def _shown(value: str | None) -> str:
    return "null" if value is None else quoted(value)


def _same_letter(a: str | None, b: str) -> bool:
    if a is None:
        return False
    try:
        return letter_index(a) == letter_index(b)
    except ValueError:
        return False


def against_key(result: RunResult, prediction: str | None, answer_letter: str | None,
                item: Item) -> tuple[RunResult, list[str]]:
    """The run scored with the dataset's answer letter and grouped under the dataset's category
    and sub-category, and what the line said otherwise ("answer_letter says '<A>', dataset says
    '<C>'"). A line that agrees comes back as it was. An item whose runs cannot be derived is
    not judged."""
    try:
        run = make_run(item, result.alias, result.rotate_id)
    except (RunError, ValueError):
        return result, []
    said: list[str] = []
    if result.category != item.category:
        said.append(f"category says {_shown(result.category)}, dataset says {_shown(item.category)}")
    if result.sub_category != item.sub_category:
        said.append(f"sub-category says {_shown(result.sub_category)}, dataset says {_shown(item.sub_category)}")
    correct = result.is_correct
    if not _same_letter(answer_letter, run.answer_letter):
        said.append(f"answer_letter says {_shown(answer_letter)}, dataset says {quoted(run.answer_letter)}")
        if prediction is not None:
            correct = _same_letter(prediction, run.answer_letter)
    if not said:
        return result, []
    return replace(result, category=item.category, sub_category=item.sub_category, is_correct=correct), said
