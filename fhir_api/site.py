"""The site root is for people: a small page that points at the FHIR base."""
from __future__ import annotations

from flask import Blueprint, Response

bp = Blueprint("site", __name__)

_PAGE = """<!doctype html><html lang="no"><head><meta charset="utf-8"><title>Kodebro</title></head>
<body><h1>Kodebro</h1><p>FHIR R4 terminology server for the Norwegian codebooks.</p>
<p>FHIR base: <a href="fhir/metadata">/fhir</a> &middot;
<a href="fhir/CodeSystem?_summary=true">code systems</a> &middot;
<a href="fhir/ValueSet?_summary=true">value sets</a> &middot;
<a href="fhir/ConceptMap?_summary=true">concept maps</a></p></body></html>"""


@bp.route("/")
def index():
    return Response(_PAGE, mimetype="text/html")
