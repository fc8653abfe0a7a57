"""review-s15 F12: the exclude-version rule (which version an exclude removes, what a compose's version texts
say) lives in terminology.operations.compose_versions; ComposeEvaluator takes it as its `ExcludeScopes` part.
Its answers are pinned by tests/versions, tests/conformance and tests/valueset_operations; here only where the
names live, and the module functions on plain composes."""
import ast
import os

from tests.conftest import ROOT

METHODS = ("_exclude_scope", "_exclude_reaches", "_read_imports", "_listed_codes", "_listed_reaching",
           "_system_excluded")
FUNCTIONS = ("version_texts_differ", "versions_match", "_versions_apart")


def _defined(module_path):
    tree = ast.parse(open(os.path.join(ROOT, *module_path.split("/")), encoding="utf-8").read())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def test_moved_names_live_in_compose_versions():
    from terminology.operations import compose_versions as cv
    for name in FUNCTIONS + ("ANY_VERSION", "NO_VERSION", "ExcludeScopes"):
        assert hasattr(cv, name), name
    for name in METHODS:
        assert name in vars(cv.ExcludeScopes), name
    assert "_exclude_scopes" in vars(cv.ExcludeScopes)     # its per-request memo, made lazily (None here)
    assert cv.ExcludeScopes._exclude_scopes is None
    assert cv.ANY_VERSION is not cv.NO_VERSION
    # moved, not copied: compose.py defines none of them
    defined = _defined("terminology/operations/compose.py")
    moved = set(METHODS) | set(FUNCTIONS) | {"_ANY_VERSION", "_NO_VERSION", "ANY_VERSION", "NO_VERSION",
                                             "_exclude_scopes"}
    assert not defined & moved, defined & moved


def test_compose_evaluator_keeps_the_methods_by_its_mixin():
    from terminology.operations.compose import ComposeEvaluator
    from terminology.operations.compose_versions import ExcludeScopes
    from terminology.operations.valueset_facts import ValueSetFacts
    assert ComposeEvaluator.__mro__[1:3] == (ExcludeScopes, ValueSetFacts)
    for name in METHODS:
        assert getattr(ComposeEvaluator, name) is vars(ExcludeScopes)[name], name


def test_compose_and_expand_take_the_names_from_compose_versions():
    from terminology.operations import compose, compose_versions, expand
    assert compose.ANY_VERSION is compose_versions.ANY_VERSION
    assert compose.NO_VERSION is compose_versions.NO_VERSION
    assert expand.version_texts_differ is compose_versions.version_texts_differ
    assert expand.versions_match is compose_versions.versions_match
    assert not hasattr(compose, "version_texts_differ") and not hasattr(compose, "versions_match")


class _Catalog:
    """canonical_system is all the module functions ask of a catalog."""

    @staticmethod
    def canonical_system(system):
        return system


def _compose(includes, excludes=()):
    return {"include": [dict(system="http://example.org/s", **({"version": v} if v else {})) for v in includes],
            "exclude": [dict(system="http://example.org/s", **({"version": v} if v else {})) for v in excludes]}


def test_version_texts_and_versions_match():
    from terminology.operations.compose_versions import version_texts_differ, versions_match
    cat = _Catalog()
    assert not version_texts_differ(cat, _compose(["1"], ["1"]))
    assert version_texts_differ(cat, _compose(["1"], [None]))
    assert version_texts_differ(cat, _compose(["1.x"], ["1.2.0"]))
    assert not version_texts_differ(cat, {"include": [{"valueSet": ["http://example.org/vs"]}]})
    assert versions_match(cat, _compose(["2"], ["1"]))
    assert not versions_match(cat, _compose(["2"], ["2"]))
    assert not versions_match(cat, _compose(["2"], [None]))
    assert not versions_match(cat, _compose(["2"]))
