"""One rule for what a retired code became: mappings/succession_translate.py's public `successors_at` and
`canonical_code` serve both $translate's wording (`_went`) and the $validate-code advice hook."""
import inspect

from terminology.identifiers import NCRP, SAERKODER


def test_successors_at_names_the_change_of_that_edition(demo_catalog):
    from mappings.succession_build import graph_for
    from mappings.succession_translate import successors_at
    sg = graph_for(demo_catalog)
    got = successors_at(sg, (NCRP, "SAA0AE"), "2017")
    assert [(v, d["kind"], d["edition"]) for v, d in got] == [((NCRP, "SAA0AP"), "merged", "2017")]
    assert successors_at(sg, (NCRP, "SAA0AE"), "2016") == []
    split = successors_at(sg, (SAERKODER, "B0014"), "2020")
    assert sorted(v[1] for v, _d in split) == ["IBBA15", "IBBB15", "IBBD15", "IBBH15"]


def test_canonical_code_finds_the_graphs_spelling(demo_catalog):
    from mappings.succession_build import graph_for
    from mappings.succession_translate import canonical_code
    sg = graph_for(demo_catalog)
    assert canonical_code(demo_catalog, sg, NCRP, "SAA0AE") == "SAA0AE"
    assert canonical_code(demo_catalog, sg, NCRP, "NOSUCH") == "NOSUCH"


def test_the_hook_and_translate_share_the_rule():
    import mappings.advice_hooks as hooks
    import mappings.succession_translate as st
    src = inspect.getsource(hooks)
    assert "_canonical_code" not in src and "successors_at" in src and "canonical_code" in src
    assert "successors_at(" in inspect.getsource(st._went)
