"""The entailments SHACL validation sees with ``--inference rdfs|owlrl``, the same for every engine.

pySHACL's own inference runs owlrl's full closure inside the data graph: axiomatic triples about
the OWL vocabulary itself (``owl:Thing a owl:Class``, ``owl:Nothing rdfs:subClassOf …``),
``x owl:sameAs x``, literal subjects. Shapes that target the ontology's classes then validate
``owl:Thing`` and ``owl:Nothing`` as if they were our terms. Here the entailments are those of
:func:`spacekg.reasoning.infer` (what `spacekg reason` prints: the inferred triples a user cares
about, the W3C vocabularies' noise filtered out), added to a copy of the data graph; every engine
then validates that graph without inference of its own, so all engines agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyoxigraph

    from spacekg.shacl.model import DataInput, PathLike


def entailed_store(
    data: DataInput,
    ontology: PathLike | Sequence[PathLike] | None,
    profile: str,
) -> pyoxigraph.Store:
    """A fresh store: data + ontology in the default graph, plus their ``profile`` entailments."""
    import pyoxigraph as ox

    from spacekg.reasoning import infer
    from spacekg.shacl.loading import _rewrite_wrapped, _to_rdflib, build_store

    store = build_store(data, ontology)
    graph = _to_rdflib(store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    inferred = infer(graph, profile)
    if len(inferred):
        nt = inferred.serialize(format="nt", encoding="utf-8")
        # parse, not Store.load: load renames blank nodes, and an inferred triple about a
        # blank node must stay on that node
        quads = ox.parse(_rewrite_wrapped(nt, turtle=False), format=ox.RdfFormat.N_TRIPLES)
        store.extend(_in_default_graph(quads))
    return store


def _in_default_graph(quads: Any) -> Any:
    import pyoxigraph as ox

    for q in quads:
        yield ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
