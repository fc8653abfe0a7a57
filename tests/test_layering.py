"""Architecture facts pinned as tests: the engine knows nothing of Flask; networkx stays in mappings."""
import ast
import os

from tests.conftest import ROOT


def _imports(package: str):
    for dirpath, _, files in os.walk(os.path.join(ROOT, package)):
        for f in files:
            if f.endswith(".py"):
                path = os.path.join(dirpath, f)
                tree = ast.parse(open(path, encoding="utf-8").read())
                for node in ast.walk(tree):
                    if isinstance(node, ast.Import):
                        for a in node.names:
                            yield path, a.name.split(".")[0]
                    elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                        yield path, node.module.split(".")[0]


def test_terminology_does_not_import_flask_or_the_api():
    bad = [(p, m) for p, m in _imports("terminology") if m in ("flask", "werkzeug", "fhir_api")]
    assert bad == []


def test_mappings_does_not_import_flask_or_the_api():
    bad = [(p, m) for p, m in _imports("mappings") if m in ("flask", "werkzeug", "fhir_api")]
    assert bad == []


def test_networkx_only_in_mappings():
    for pkg in ("terminology", "fhir_api"):
        assert [(p, m) for p, m in _imports(pkg) if m == "networkx"] == []
