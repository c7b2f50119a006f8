"""How a human answer is written for the model evaluation kit's files.

The kit can re-evaluate a results file (``reeval``): it throws away ``prediction`` and
``is_correct`` and parses the letter again from ``model_response``. Its parser looks first for a
keyword followed by a letter (``Answer: <C>``; bracketed forms win, the last one counts) and
searches option texts only in responses of more than two words, so a bare short option text
("Same", "Front-right (0-90 degrees)") would parse to no letter at all. The response written here
is the chosen option text followed by a final line ``Answer: <C>``, which the parser maps back to
exactly the chosen letter whatever the option text says (docs/numbers.md); a trial without an
answer gets a short text that contains no keyword and no letter, which parses to ``Z`` (no answer).
"""
from __future__ import annotations

from tasks.dataset.runs import letter, letter_index

NO_ANSWER_RESPONSE = "(no response)"


def kit_model_response(chosen_text: str | None, chosen_letter: str | None, n_options: int) -> str:
    """``model_response`` for one run: the chosen option text, then ``Answer: <C>``.

    ``chosen_letter`` is "<C>" or "C"; anything that is not a letter of one of the
    ``n_options`` options counts as no answer."""
    if chosen_letter is None:
        return NO_ANSWER_RESPONSE
    try:
        index = letter_index(chosen_letter)
    except ValueError:
        return NO_ANSWER_RESPONSE
    if index >= n_options:
        return NO_ANSWER_RESPONSE
    answer_line = f"Answer: {letter(index)}"
    # the final line decides; the text above it is there for people reading the file
    return f"{chosen_text}\n{answer_line}" if chosen_text else answer_line
