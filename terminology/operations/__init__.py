"""The terminology operations as engine calls: plain requests in, plain results out.

expand.py ($expand), validate.py ($validate-code, with its validate_*.py parts), compose.py (ValueSet.compose
evaluation, with compose_checks.py, include_rules.py, valueset_facts.py, expansion_only.py, member.py and
codesystem_valueset.py), version_rules.py and concept_status.py (shared by the operations), filters.py
(compose filters); lookup/subsumes live beside them.
"""
