"""Whether an answer of the server is valid R4 JSON, read by the R4B models of fhir.resources (what a strict
client's parser does): the conformance suite and the documented examples check every answer with it."""
from __future__ import annotations


def r4_problems(body: dict) -> str | None:
    """None when `body` reads as the resource it says it is; else the models' complaint."""
    from fhir.resources.R4B import get_fhir_model_class
    try:
        get_fhir_model_class(body["resourceType"]).model_validate(body)
    except Exception as e:      # the models' ValidationError, or an unknown resourceType
        return f"{type(e).__name__}: {str(e)[:1500]}"
    return None
