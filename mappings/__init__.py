"""Concept maps and translation: ConceptMap evaluation, SNOMED CT map rules, the succession graph."""
