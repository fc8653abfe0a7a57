"""The site root is for people: a search page over the codebooks that uses only the FHIR API."""
from __future__ import annotations

import os

from flask import Blueprint, send_from_directory

bp = Blueprint("site", __name__)
STATIC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "static")


@bp.route("/")
def index():
    return send_from_directory(STATIC, "index.html", mimetype="text/html")
