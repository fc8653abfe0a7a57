"""A subset of the SNOMED CT Expression Constraint Language (ECL 2.x), parsed and evaluated.

Supported (long-syntax words, case-insensitive, stand for the symbols):
    conceptId [|term|]        a concept
    *  ANY                    any (active) concept
    < x   descendantOf x      descendants          << x  descendantOrSelfOf x   descendants or self
    <! x  childOf x           children             <<! x childOrSelfOf x        children or self
    > x   ancestorOf x        ancestors            >> x  ancestorOrSelfOf x     ancestors or self
    >! x  parentOf x          parents              >>! x parentOrSelfOf x       parents or self
    !!> x                     top of set x: its members with no ancestor in x
    !!< x                     bottom of set x: its members with no descendant in x
    ^ x   memberOf x          members of reference set x (x may be a nested constraint or *)
    a AND b, a , b            conjunction
    a OR b                    disjunction
    a MINUS b                 exclusion
    ( ... )                   nesting; a constraint operator may precede a nested expression
    x . attr [. attr2 ...]    dot notation: the values of attribute attr of the concepts of x (attr may be
                              a constraint: `. << 47429007`); `x . a . b` chains
    x {{ ... }}               description filters `{{ [D] term = "words", language = no, type = syn,
                              dialect = en-us (prefer) }}` and concept filters `{{ C active = true,
                              definitionStatus = primitive, moduleId = id, effectiveTime >= "20250101" }}`
                              (ecl_filters.py)
    focus : refinement        attribute refinement, evaluated on the inferred relationships:
        [card] attr = value       attr and value are sub-expressions (`<< 363698007`, `*`, `(a OR b)`),
        [card] attr != value      `!=`: some attr relationship whose value is outside `value`
        [card] R attr = value     reverse (`R` / `reverseOf`): the focus concept is the VALUE of an attr
                                  relationship of some concept in `value`
        a , b   a AND b   a OR b  conjunction / disjunction of attributes, `( )` to nest
        [card] { a = x, b = y }   an attribute group: all of it satisfied within one relationship group

Cardinality is `[min..max]` (max may be `*`; the default is [1..*]). Outside a group it counts the
distinct attribute-value pairs a concept has across all its groups (for a reverse attribute, the distinct
attribute-source pairs pointing at it); inside a group, the relationships of that group; before `{` the
groups. Group 0 is no group: each of its relationships is a group of its own.

Different binary operators may not be mixed without parentheses (as ECL says), and a refined or dotted
expression is refined or combined only inside parentheses (a dotted one may be an operand: the dot binds
tighter). Refused with NotSupported naming the construct, never silently ignored: concrete values (`#`,
`>=` on an attribute), member field selection (`^ [fields]`), member filters `{{ M }}`, history supplements
`{{ +HISTORY }}`, description `id`/`moduleId`/`effectiveTime` filters (not kept by the index), `{{ D active =
false }}` (only active descriptions are kept), a constraint as a filter's id value (`typeId = << x`), reverse
attributes inside a group, and any other keyword.

Work is bounded: parentheses, operators, dots and refinements together nest at most _MAX_DEPTH (100) levels,
a deeper expression is a 400 before anything is evaluated; each step is a set operation linear in the
concepts or relationships it touches, counted against ecl_budget.MAX_WORK (TooCostly, 422, past it): every
set built is charged at least its size. The budget is opened by the outermost ecl_budget.budget() on the thread:
$expand and $validate-code open one per request (ecl_budget.per_operation), which every evaluate() of the request
joins; evaluate() called on its own opens its own. The answer is kept by SnomedIndex.filter_numbers' bounded
cache.

`parse` gives a small tuple tree (ecl_parse.py); `evaluate(index, text)` returns the set of concept numbers
of a SnomedIndex (ecl_eval.py).
"""
from __future__ import annotations

from .ecl_eval import _eval, evaluate, unknown_concepts_first as _unknown_concepts_first  # noqa: F401
from .ecl_parse import _MAX_DEPTH, SUPPORTED as _SUPPORTED, parse  # noqa: F401

__all__ = ["parse", "evaluate"]
