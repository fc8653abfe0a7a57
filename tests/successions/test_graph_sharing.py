"""A request's own resources rebuild the succession graph only when they can change successions."""
from mappings.succession_build import graph_for
from terminology import Catalog


def test_a_plain_supplied_map_shares_the_stored_graph(store):
    cat = Catalog(store)
    plain = {"resourceType": "ConceptMap", "url": "http://example.org/cm", "status": "active",
             "group": [{"source": "http://a", "target": "http://b", "element": [{"code": "x", "target": [
                 {"code": "y", "equivalence": "equivalent"}]}]}]}
    assert graph_for(cat.overlay([plain])) is graph_for(cat)


def test_a_supplied_edition_map_gets_a_graph_of_its_own(store):
    cat = Catalog(store)
    editions = {"resourceType": "ConceptMap", "url": "http://example.org/ed", "status": "active",
                "group": [{"source": "http://a", "sourceVersion": "2020", "target": "http://a",
                           "targetVersion": "2021", "element": [{"code": "x", "target": [
                               {"code": "y", "equivalence": "equivalent"}]}]}]}
    own = graph_for(cat.overlay([editions]))
    assert own is not graph_for(cat)
    assert own.knows(("http://a", "x"))
