"""Whether an answer of the server is valid R4 JSON, read by the R4B models of fhir.resources as R4 JSON reads
(terminology/model_errors.py: an extension beside a primitive extension's value, a no-break space in a code):
what a strict client's parser does. The conformance suite, the documented examples and
tests/fhir_api/test_answers_are_r4.py check answers with it."""
from __future__ import annotations


def r4_problems(body: dict) -> str | None:
    """None when `body` reads as the resource it says it is; else the models' complaints."""
    from fhir.resources.R4B import get_fhir_model_class

    from terminology.model_errors import model_errors
    try:
        model = get_fhir_model_class(body["resourceType"])
    except Exception as e:      # an unknown resourceType
        return f"{type(e).__name__}: {e}"
    errors = model_errors(model, body)
    return "; ".join(f"{'.'.join(map(str, e.get('loc', ())))}: {e.get('msg')}" for e in errors[:10]) or None
