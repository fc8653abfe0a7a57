"""The Norwegian codebooks as FHIR terminology: shared builders and the coding rules.

Importers read a file into `Row`s; the builders here turn rows into CodeSystem
resources (one per edition) plus the rule value sets of that edition, so that
every source format of a codebook ends up with the same properties and rules.
"""
from .common import Row
from ..exclusions import exclusion_reason

__all__ = ["Row", "exclusion_reason"]
