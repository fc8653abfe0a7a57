"""Canonical references a request sends that name nothing: '|' alone, or a version with no url before it ('|2021').

Read as they are, they are split into an empty url and looked up: the answer was then that no definition of ''
is held (422/404), or that no map goes from '|', which tells the client nothing of its mistake. Every operation
refuses them with one check, before it reads anything else, naming the parameter they came in."""
from __future__ import annotations

from terminology.errors import InvalidRequest

CODE_SYSTEM, VALUE_SET, CONCEPT_MAP = "code system", "value set", "concept map"


def names_nothing(sent) -> bool:
    """Whether `sent` is a canonical with a '|' and nothing (or only blanks) before it."""
    return isinstance(sent, str) and "|" in sent and not sent.split("|", 1)[0].strip()


def refuse_named_nothing(sent, what: str, location: str) -> None:
    """400 for a canonical of `what` (a CODE_SYSTEM, ...) that names nothing; `location`: the parameter it came
    in, as sent (or the element path of a coding's system)."""
    if names_nothing(sent):
        raise InvalidRequest(f"'{sent}' names no {what}: give the {what}'s canonical url, with '|' and a version "
                             "after it if one is meant", location=location)


def refuse_canonicals(params, named: dict[str, str]) -> None:
    """Each parameter of `named` (name -> what its canonical names), every time it is given."""
    for name, what in named.items():
        for v in params.all(name):
            refuse_named_nothing(v, what, name)


def refuse_coding_systems(params, located: dict[str, str]) -> None:
    """The systems of the Codings and CodeableConcepts given in the parameters of `located` (name -> where a
    fault is reported: the parameter's name or an element path, with `{i}` for a CodeableConcept's coding).
    A query's shorthand `system|version|code` with no system (`|1|A00`) is one too: read as the operations read
    it, it would be a coding without a system, its version dropped unsaid (`|A00`, token search's code without a
    system, stays one)."""
    for name, where in located.items():
        for v in params.all(name):
            if isinstance(v, str) and v.count("|") > 1:
                refuse_named_nothing(v, CODE_SYSTEM, where.format(i=0))     # quoted whole, as sent
                continue
            if not isinstance(v, dict):
                continue        # not a Coding: the operation says so
            inner = v.get("coding")
            if isinstance(inner, list):
                for i, c in enumerate(inner):
                    if isinstance(c, dict):
                        refuse_named_nothing(c.get("system"), CODE_SYSTEM, where.format(i=i))
            else:
                refuse_named_nothing(v.get("system"), CODE_SYSTEM, where.format(i=0))


def refuse_names_nothing(params, canonicals: dict[str, str], codings: dict[str, str]) -> None:
    """An operation's whole check: its canonical parameters (refuse_canonicals) and its codings' systems
    (refuse_coding_systems)."""
    refuse_canonicals(params, canonicals)
    refuse_coding_systems(params, codings)
