"""The work one ECL evaluation may do: a count of the concepts and relationship rows it touches, so that an
expression within the nesting limit (ecl_parse._MAX_DEPTH) but enormous in effect (`< (< (< *))`, a long dot
chain over `*`) is refused with TooCostly (422) instead of holding a worker for minutes.

The count lives in a thread-local set by `budget()`; evaluation outside it (tests calling the evaluator
directly) is not limited. One unit is roughly one concept added to a set by a hierarchy walk (about 0.3 µs);
reading one concept's descriptions for a filter counts 32.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager

from ..errors import TooCostly

MAX_WORK = 10_000_000       # about 3 s of work; a full edition's `* : * = *` needs about 1.5 million
_state = threading.local()


@contextmanager
def budget(text: str):
    _state.left = MAX_WORK
    _state.text = text
    try:
        yield
    finally:
        _state.left = None


def charge(n: int) -> None:
    left = getattr(_state, "left", None)
    if left is None:
        return
    left -= n
    _state.left = left
    if left < 0:
        _state.left = None
        text = _state.text
        raise TooCostly(f"ECL: the expression '{text if len(text) <= 200 else text[:200] + '…'}' needs more than "
                        f"{MAX_WORK:,} steps to evaluate over this edition; narrow it (a smaller focus, fewer "
                        "nested hierarchy operators or dots)")
