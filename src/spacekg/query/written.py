"""The data's literals as written, where an Oxigraph store keeps them otherwise.

Oxigraph stores literals of the XSD types it computes with in a native encoding and gives back
the canonical form: every ``xsd:integer``-derived type (``"33"^^xsd:nonNegativeInteger``)
becomes ``xsd:integer``, ``"1.50"^^xsd:decimal`` becomes ``"1.5"``, date-times lose trailing
zeros; its parser also lower-cases language tags (``en-GB`` -> ``en-gb``). There is no switch to
turn this off (oxigraph/oxigraph#526), and a surrogate datatype would keep the form but break
comparisons and ordering of the values in queries.

So the store keeps the canonical value (queries compute as before) and spacekg keeps a map,
:class:`WrittenForms`, from each canonical literal back to the one form the data wrote it in. It
corrects, on every Oxigraph backend of spacekg (in memory, ``--store``):

* results: a value of a variable bound by a graph pattern (not by ``BIND``/``AS`` or
  ``VALUES``, whose values the query computes) is given back as written; a graph result
  (CONSTRUCT/DESCRIBE) likewise when its query computes no values;
* inside a query, ``DATATYPE(?v)``, ``STR(?v)`` and ``LANG(?v)`` of such a variable, which are
  evaluated by functions that look the written form up (so ``FILTER (DATATYPE(?v) =
  xsd:nonNegativeInteger)`` finds the data's offsets).

A canonical literal that the data wrote in two ways (or also wrote canonically) is ambiguous and
left as Oxigraph gives it. Value comparisons see the canonical value on every store, which is
what SPARQL's value semantics say anyway.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from spacekg.query import sparqltext
from spacekg.terms import QueryResult, Term

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
FN_NS = "urn:spacekg:fn:"
#: the file beside an embedded store's data that holds its map
STORE_FILE = "spacekg-written-forms.json"

#: the XSD types Oxigraph stores natively (oxigraph's storage/numeric_encoder.rs)
_NATIVE = """boolean float double integer byte short int long unsignedByte unsignedShort
unsignedInt unsignedLong positiveInteger negativeInteger nonPositiveInteger nonNegativeInteger
decimal dateTime dateTimeStamp time date gYearMonth gYear gMonthDay gDay gMonth duration
yearMonthDuration dayTimeDuration"""
NATIVE_TYPES = frozenset(XSD + t for t in _NATIVE.split())


#: a literal of a native type, or with a capital in its language tag (the unrolled string loop
#: is several times faster than an alternation over megabytes)
@functools.cache
def _literal_pattern() -> re.Pattern[bytes]:
    # compiled on first use: only scanning loaded data needs it, not a query
    return re.compile(
        rb'"[^"\\\n]*(?:\\.[^"\\\n]*)*"(?:\^\^<('
        + re.escape(XSD.encode())
        + rb"(?:"
        + b"|".join(t.encode() for t in _NATIVE.split())
        + rb"))>|@([A-Za-z0-9\-]*[A-Z][A-Za-z0-9\-]*))"
    )


_AMBIGUOUS = Term("literal", "")  # marks a canonical form written in more than one way


@dataclass(frozen=True)
class WrittenForms:
    """Canonical literal -> the literal as the data wrote it (only where they differ)."""

    forms: dict[Term, Term] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return any(v is not _AMBIGUOUS for v in self.forms.values())

    @property
    def functions_needed(self) -> frozenset[str]:
        """Which of DATATYPE, STR and LANG can see a difference (the others need no look-up)."""
        out = set()
        for k, v in self.forms.items():
            if v is _AMBIGUOUS:
                continue
            if (k.datatype, bool(k.lang)) != (v.datatype, bool(v.lang)):
                out.add("DATATYPE")
            if k.value != v.value:
                out.add("STR")
            if k.lang != v.lang:
                out.add("LANG")
        return frozenset(out)

    def written(self, term: Term | None) -> Term | None:
        """``term`` as the data wrote it, or ``term`` itself."""
        if term is None or term.kind != "literal":
            return term
        found = self.forms.get(term)
        return term if found is None or found is _AMBIGUOUS else found

    def merged(self, other: WrittenForms) -> WrittenForms:
        forms = dict(self.forms)
        for key, value in other.forms.items():
            if key in forms and forms[key] != value:
                forms[key] = _AMBIGUOUS
            else:
                forms[key] = value
        return WrittenForms(forms)

    # --- persistence (an embedded store keeps its map in STORE_FILE) ------------------------

    def to_json(self) -> str:
        rows = [
            [_term_list(k), None if v is _AMBIGUOUS else _term_list(v)]
            for k, v in self.forms.items()
        ]
        return json.dumps({"written-forms": rows}, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str) -> WrittenForms:
        forms: dict[Term, Term] = {}
        for key, value in json.loads(text)["written-forms"]:
            forms[Term(*key)] = _AMBIGUOUS if value is None else Term(*value)
        return cls(forms)

    @classmethod
    def read(cls, folder: Path) -> WrittenForms:
        """The map of the store at ``folder`` (empty if it has none or it cannot be read)."""
        try:
            return cls.from_json((folder / STORE_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError, KeyError, TypeError):
            return cls()


def _term_list(t: Term) -> list[str | None]:
    return [t.kind, t.value, t.datatype, t.lang]


def scan(data: bytes, *, keep_identities: bool = False) -> WrittenForms:
    """The written forms of the N-Triples or N-Quads ``data`` that Oxigraph would change.

    Only literals of :data:`NATIVE_TYPES` and language tags with a capital letter can change;
    each distinct one is parsed (its value as written) and stored in a scratch Oxigraph store
    (its canonical form), and kept where the two differ. ``keep_identities`` also keeps the
    literals written in canonical form (mapped to themselves), so that scans of parts of one
    input merge into the same map as a scan of the whole (see :func:`without_identities`).
    """
    import pyoxigraph as ox

    candidates: dict[bytes, str | None] = {}
    for match in _literal_pattern().finditer(data):
        lang = match.group(2)
        candidates.setdefault(match.group(0), None if lang is None else lang.decode("ascii"))
    if not candidates:
        return WrittenForms()
    literals = list(candidates)
    lines = b"".join(b"<urn:x:%d> <urn:x:p> %s .\n" % (i, lit) for i, lit in enumerate(literals))
    written: dict[str, Term] = {}
    store = ox.Store()
    try:
        for quad in ox.parse(lines, ox.RdfFormat.N_TRIPLES):
            raw = literals[int(quad.subject.value.rsplit(":", 1)[1])]
            written[quad.subject.value] = _term(quad.object, candidates[raw])
        store.load(lines, ox.RdfFormat.N_TRIPLES)
    except SyntaxError:
        return WrittenForms()  # not N-Triples (a regex false positive): keep nothing
    forms: dict[Term, Term] = {}
    for quad in store:
        canonical = _term(quad.object, None)
        original = written[quad.subject.value]
        if canonical in forms and forms[canonical] != original:
            forms[canonical] = _AMBIGUOUS
        else:
            forms[canonical] = original
    # a canonical form also written canonically is ambiguous; identities need no entry
    if keep_identities:
        return WrittenForms(forms)
    return without_identities(WrittenForms(forms))


def without_identities(forms: WrittenForms) -> WrittenForms:
    """``forms`` without the literals that are written canonically (they need no look-up)."""
    return WrittenForms({k: v for k, v in forms.forms.items() if v != k})


def _term(lit: Any, lang: str | None) -> Term:
    if lit.language:
        return Term("literal", lit.value, None, lang or lit.language)
    datatype = lit.datatype.value
    return Term("literal", lit.value, None if datatype == XSD_STRING else datatype)


# --- queries --------------------------------------------------------------------------------


def computed_variables(sparql: str) -> set[str]:
    """Variables whose values the query computes: ``AS`` targets and ``VALUES`` variables."""
    toks = sparqltext.code_tokens(sparql)
    out: set[str] = set()
    for i, tok in enumerate(toks):
        if tok.kind == "word" and tok.upper == "AS" and i + 1 < len(toks):
            if toks[i + 1].kind == "var":
                out.add(toks[i + 1].text[1:])
        elif tok.kind == "word" and tok.upper == "VALUES":
            for nxt in toks[i + 1 :]:
                if nxt.text == "{":
                    break
                if nxt.kind == "var":
                    out.add(nxt.text[1:])
    return out


class _Call(NamedTuple):
    """A ``FUNCTION(?v)`` call in a token list: the positions of its four tokens."""

    positions: tuple[int, int, int, int]
    function: str
    var: str


def _lookup_calls(sparql: str, needed: Any) -> tuple[list[Any], list[_Call]]:
    """The tokens of ``sparql`` and its calls of ``needed`` functions on a pattern-bound
    variable (not one a BIND or a projection computes)."""
    computed = computed_variables(sparql)
    toks = list(sparqltext.tokens(sparql))
    code = [i for i, t in enumerate(toks) if t.kind not in ("space", "comment")]
    calls = []
    for n, i in enumerate(code[:-3]):
        tok = toks[i]
        if tok.kind != "word" or tok.upper not in needed:
            continue
        opened, var, closed = (toks[code[n + k]] for k in (1, 2, 3))
        bare = opened.text == "(" and var.kind == "var" and closed.text == ")"
        if bare and var.text[1:] not in computed:
            positions = (i, code[n + 1], code[n + 2], code[n + 3])
            calls.append(_Call(positions, tok.upper, var.text))
    return toks, calls


def rewrite(sparql: str, forms: WrittenForms) -> str:
    """``sparql`` with ``DATATYPE(?v)``, ``STR(?v)`` and ``LANG(?v)`` of pattern-bound
    variables calling the look-up functions of :func:`functions` instead (only those that
    ``forms`` can answer differently)."""
    needed = forms.functions_needed
    if not needed:
        return sparql
    toks, calls = _lookup_calls(sparql, needed)
    replace = {c.positions[0]: f"<{FN_NS}{c.function.lower()}>" for c in calls}
    if not replace:
        return sparql
    return "".join(replace.get(i, t.text) for i, t in enumerate(toks))


def functions(forms: WrittenForms) -> dict[Any, Callable[..., Any]]:
    """The pyoxigraph custom functions :func:`rewrite` calls, answering from ``forms``."""
    import pyoxigraph as ox

    def lookup(node: Any) -> Term | None:
        if not isinstance(node, ox.Literal):
            return None
        return forms.written(_term(node, None))

    def datatype(node: Any) -> Any:
        term = lookup(node)
        if term is None:
            return None
        if term.lang:
            return ox.NamedNode(RDF_LANGSTRING)
        return ox.NamedNode(term.datatype or XSD_STRING)

    def string(node: Any) -> Any:
        if isinstance(node, ox.NamedNode):
            return ox.Literal(node.value)
        term = lookup(node)
        return None if term is None else ox.Literal(term.value)

    def lang(node: Any) -> Any:
        term = lookup(node)
        return None if term is None else ox.Literal(term.lang or "")

    return {
        ox.NamedNode(FN_NS + "datatype"): datatype,
        ox.NamedNode(FN_NS + "str"): string,
        ox.NamedNode(FN_NS + "lang"): lang,
    }


def correct(result: QueryResult, sparql: str, forms: WrittenForms) -> QueryResult:
    """``result`` with the values the data holds given back as written (see the module)."""
    if not forms or result.form == "ask":
        return result
    computed = computed_variables(sparql)
    if result.form == "graph":
        if computed:
            return result
        triples = tuple((s, p, forms.written(o) or o) for s, p, o in result.triples)
        return QueryResult("graph", triples=triples)
    fix = [v not in computed for v in result.variables]
    rows = tuple(
        tuple(forms.written(t) if f else t for t, f in zip(row, fix, strict=True))
        for row in result.rows
    )
    return QueryResult("select", variables=result.variables, rows=rows)


def prepare(sparql: str, forms: WrittenForms) -> tuple[str, dict[str, Any]]:
    """The text to send to a pyoxigraph store and the extra options for ``Store.query`` (the
    look-up functions, when the text calls them); then :func:`correct` the result."""
    text = rewrite(sparql, forms)
    return text, ({"custom_functions": functions(forms)} if text != sparql else {})


# --- a server that canonicalises (oxigraph serve): the same look-ups, written into the query ---


def inline(sparql: str, forms: WrittenForms) -> str:
    """``sparql`` with ``DATATYPE(?v)``, ``STR(?v)`` and ``LANG(?v)`` of pattern-bound variables
    replaced by expressions that look the written form up in ``forms`` (``IF(sameTerm(?v, L)
    ..., WRITTEN, DATATYPE(?v))``): for a server that cannot call spacekg's functions."""
    needed = forms.functions_needed
    if not needed:
        return sparql
    toks, calls = _lookup_calls(sparql, needed)
    replace = {c.positions[0]: _lookup_expression(c.function, c.var, forms) for c in calls}
    skip = {p for c in calls for p in c.positions[1:]}
    if not replace:
        return sparql
    return "".join(
        replace.get(i, t.text) for i, t in enumerate(toks) if i not in skip or i in replace
    )


def _lookup_expression(function: str, var: str, forms: WrittenForms) -> str:
    groups: dict[str, list[str]] = {}
    for canonical, written in sorted(forms.forms.items()):
        if written is _AMBIGUOUS:
            continue
        if function == "DATATYPE":
            answer = f"<{RDF_LANGSTRING if written.lang else written.datatype or XSD_STRING}>"
        elif function == "LANG":
            answer = Term("literal", written.lang or "").n3()
        else:
            answer = Term("literal", written.value).n3()
        groups.setdefault(answer, []).append(f"sameTerm({var}, {canonical.n3()})")
    expression = f"{function}({var})"
    for answer, tests in sorted(groups.items(), reverse=True):
        expression = f"IF({' || '.join(tests)}, {answer}, {expression})"
    return expression


def calls_lookups(sparql: str) -> bool:
    """Does ``sparql`` call DATATYPE, STR or LANG (which :func:`inline` may rewrite)?"""
    names = {"DATATYPE", "STR", "LANG"}
    return any(t.kind == "word" and t.upper in names for t in sparqltext.code_tokens(sparql))


def may_need_correction(result: QueryResult, sparql: str) -> bool:
    """Could :func:`correct` change ``result`` (a literal Oxigraph may have changed, in a value
    the data holds)? Lets a caller skip building the map."""

    def changeable(t: Term | None) -> bool:
        return (
            t is not None
            and t.kind == "literal"
            and (bool(t.lang) or (t.datatype or "") in NATIVE_TYPES)
        )

    if result.form == "graph":
        return not computed_variables(sparql) and any(changeable(o) for _, _, o in result.triples)
    if result.form != "select":
        return False
    computed = computed_variables(sparql)
    columns = [i for i, v in enumerate(result.variables) if v not in computed]
    return any(changeable(row[i]) for row in result.rows for i in columns)
