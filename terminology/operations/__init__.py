"""The terminology operations as engine calls: plain requests in, plain results out.

expand.py ($expand), validate.py ($validate-code), compose.py (ValueSet.compose
evaluation), filters.py (compose filters); lookup/subsumes live beside them.
"""
