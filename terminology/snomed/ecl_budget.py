"""The work one ECL evaluation may do: a count of the concepts and relationship rows it touches, so that an
expression within the nesting limit (ecl_parse._MAX_DEPTH) but enormous in effect (`< (< (< *))`, a long dot
chain over `*`) is refused with TooCostly (422) instead of holding a worker for minutes.

The count lives in a thread-local opened by the outermost `budget()`; a `budget()` opened inside it joins it
instead of starting afresh, so an operation that opens one around all its work (`with budget():` around a
whole $expand, whose compose may hold forty ECL includes) gets one budget for all of them, not one per
evaluate() call. Evaluation outside any budget (tests calling the evaluator directly) is not limited. One unit
is roughly one concept added to a set by a hierarchy walk (about 0.3 µs); reading one concept's descriptions
for a filter counts 32.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager

from ..errors import TooCostly

MAX_WORK = 10_000_000       # about 3 s of work; a full edition's `* : * = *` needs about 1.5 million
_state = threading.local()


@contextmanager
def budget(text: str | None = None):
    """The work budget of `text` (an ECL expression; None for a whole operation): a new one when none is
    open on this thread, else the open one, joined (its exit must not unbound the outer one)."""
    outer_text = getattr(_state, "text", None)
    if getattr(_state, "left", None) is not None:
        if text is not None:
            _state.text = text          # the refusal names the expression being evaluated
        try:
            yield
        finally:
            _state.text = outer_text
        return
    _state.left = MAX_WORK
    _state.text = text
    try:
        yield
    finally:
        _state.left = None
        _state.text = None


def remaining() -> int | None:
    """The work left in the open budget, None when none is open."""
    return getattr(_state, "left", None)


def charge(n: int) -> None:
    left = getattr(_state, "left", None)
    if left is None:
        return
    left -= n
    _state.left = left          # stays negative once spent: any later charge in the same budget refuses too
    if left < 0:
        text = _state.text
        what = "this request's ECL" if text is None else f"the expression '{quote(text)}'"
        raise TooCostly(f"ECL: {what} needs more than {MAX_WORK:,} steps to evaluate over this edition; narrow "
                        "it (a smaller focus, fewer nested hierarchy operators or dots, fewer or cheaper "
                        "constraints in one request)")


def quote(text: str) -> str:
    """An expression as error messages show it: never a huge one echoed back whole."""
    return text if len(text) <= 200 else text[:200] + "…"
