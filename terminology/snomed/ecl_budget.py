"""The work one operation's ECL may do: a count of the concepts and relationship rows it touches, so that an
expression within the nesting limit (ecl_parse._MAX_DEPTH) but enormous in effect (`< (< (< *))`, a long dot
chain over `*`) is refused with TooCostly (422) instead of holding a worker for minutes.

The count lives in a thread-local opened by the outermost `budget()`; a `budget()` opened inside it joins it
instead of starting afresh. The operation entry points ($expand, $validate-code, $translate: `per_operation`)
open one around all their work (and a batch around all its entries), so a compose with forty costly ECL
includes, or a CodeableConcept of many codings against ECL value sets, gets one budget for all of it, not one
per evaluate() call. Evaluation outside any
budget (tests calling the evaluator directly) is not limited. One unit is roughly one concept added to a set
by a hierarchy walk (about 0.3 µs); reading one concept's descriptions for a filter counts 32.
"""
from __future__ import annotations

import functools
import threading

from ..errors import TooCostly, shortened

MAX_WORK = 10_000_000       # about 3 s of work; a full edition's `* : * = *` needs about 1.5 million


class _State(threading.local):
    left: int | None = None     # the work left; None: no budget open on this thread
    text: str | None = None     # the expression being evaluated, for the refusal; None whenever `left` is


_state = _State()


class budget:
    """`with budget(text):` the work budget of `text` (an ECL expression; None for a whole operation): a new one
    when none is open on this thread, else the open one, joined (its exit must not unbound the outer one).
    A class rather than a generator context manager: evaluate() enters one per expression, and this costs less."""
    __slots__ = ("text", "outer_text", "opened")

    def __init__(self, text: str | None = None):
        self.text = text

    def __enter__(self):
        st = _state
        self.outer_text = st.text
        self.opened = st.left is None
        if self.opened:
            st.left = MAX_WORK
            st.text = self.text
        elif self.text is not None:
            st.text = self.text         # the refusal names the expression being evaluated
        return self

    def __exit__(self, *exc) -> None:
        st = _state
        if self.opened:
            st.left = None
            st.text = None
        else:
            st.text = self.outer_text
        return None


def per_operation(fn):
    """`fn(catalog, request)`, an operation's entry point, run inside one budget: every ECL expression it
    evaluates, in any include, import or coding, draws on that one budget (a nested operation joins the outer
    one)."""
    @functools.wraps(fn)
    def run(catalog, req):
        # written out rather than `with budget():`, with the entry point's own two arguments, and touching
        # `left` only (`text` is None whenever no budget is open, and every inner budget puts back what it
        # found): every request pays for this, $validate-code's 16 µs included
        st = _state
        if st.left is not None:
            return fn(catalog, req)
        st.left = MAX_WORK
        try:
            return fn(catalog, req)
        finally:
            st.left = None
    return run


def remaining() -> int | None:
    """The work left in the open budget, None when none is open."""
    return _state.left


def charge(n: int) -> None:
    left = _state.left
    if left is None:
        return
    left -= n
    _state.left = left          # stays negative once spent: any later charge in the same budget refuses too
    if left < 0:
        text = _state.text
        what = "this request's ECL" if text is None else f"the expression '{quote(text)}'"
        raise TooCostly(f"ECL: {what} needs more than {MAX_WORK:,} steps to evaluate over this edition; "
                        "narrow it (a smaller focus, fewer nested hierarchy operators or dots, fewer or "
                        "cheaper constraints in one request)")


def quote(text: str) -> str:
    """An expression as error messages show it: never a huge one echoed back whole."""
    return shortened(text, 200)
