"""Dating a derived succession row: the year a change took effect, earlier than the complete edition that shows it.

Comparing two complete editions finds what changed between them (`edition_diff.diff`); the partial editions
loaded between them and the codes' validTo/validFrom may say it happened earlier. The graph
(`SuccessionGraph.derive_from_editions`) and `kodebro diff-editions` date rows by the same rule.
"""
from __future__ import annotations

from dataclasses import replace

from terminology.editions import is_year

from .changelist import Change
from .edition_diff import EditionCodes

# derived rows that the editions between the two compared may date earlier (`dated`)
DATED_KINDS = ("retired", "new", "reactivated")


def dated(row: Change, prev: EditionCodes, new: EditionCodes, between: list) -> Change:
    """A derived row dated by what the editions say besides the two complete ones compared.

    A retirement: the first partial edition between that lists the code as inactive, else the year after
    the code's validTo in the last edition listing it (M1906, valid to 2025-12-31: gone from 2026, with
    2025 and 2027 the complete editions). A new or reactivated code: the first edition between that lists
    it, else the year of its validFrom. Either only when earlier than the newer complete edition; a partial
    edition that leaves the code out says nothing (R4 `fragment`: a subset of the codes)."""
    if row.kind not in DATED_KINDS:
        return row
    code, cur = row.code, row.edition
    partial = " and ".join(s.edition for s in between if not s.complete and not s.lists(code))
    why, when = None, None
    if row.kind == "retired":
        when = next((s.edition for s in between if code in s.inactive), None)
        if when is not None:
            why = f"inactive in {when}"
        else:
            last = next((s for s in reversed(between) if code in s.active), prev)
            end = last.valid_to.get(code)
            year = _year_between(end, 1, last.edition, cur)
            if year is not None:
                why, when = f"valid to {end} in {last.edition}", year
    else:
        when = next((s.edition for s in between if code in s.active), None)
        if when is not None:
            why = f"listed in {when}"
        else:
            start = new.valid_from.get(code)
            year = _year_between(start, 0, prev.edition, cur)
            if year is not None:
                why, when = f"valid from {start}", year
    if when is None:
        if partial:
            went = "gone" if row.kind == "retired" else "come"
            return replace(row, note=f"{row.note}; {partial} loaded only in part, without the code: it may have "
                                     f"{went} then")
        return row
    return replace(row, edition=when, note=f"{row.note}; {why}")


def _year_between(day: str | None, add: int, after: str, before: str) -> str | None:
    """The year of `day` plus `add`, as an edition, when the editions are years and it falls strictly between."""
    if not day or not (is_year(day[:4]) and is_year(after) and is_year(before)):
        return None
    year = int(day[:4]) + add
    return str(year) if int(after) < year < int(before) else None
