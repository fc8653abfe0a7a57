"""Concept maps and translation: ConceptMap evaluation, SNOMED CT map rules, the succession graph."""

# the succession graph answers the engine's "replaced by" advice: registered whenever mappings is loaded
from . import advice_hooks as _advice_hooks  # noqa: E402,F401
