"""What a shapes graph must be before any engine runs it: the checks pySHACL makes when it
loads shapes, made once for every engine, so a malformed shapes file is bad input (exit 3) with
one line naming it, whichever engine was chosen, and never a silent pass.

Refused: a count or length parameter (``sh:minCount``, ``sh:maxCount``, ``sh:minLength``,
``sh:maxLength``, ``sh:qualifiedMinCount``, ``sh:qualifiedMaxCount``) that is not an integer
literal; an ``sh:pattern`` that Python's ``re`` (both engines' regex engine) cannot compile; a
property shape (the value of ``sh:property``, an ``sh:PropertyShape``, or any node with an
``sh:path``) without exactly one ``sh:path``, or with a path that is not a SHACL property path;
a list parameter (``sh:in``, ``sh:languageIn``, ``sh:and``, ``sh:or``, ``sh:xone``,
``sh:ignoredProperties``) that is not a well-formed RDF list.
"""

from __future__ import annotations

import re

from spacekg.errors import InputError
from spacekg.shacl.model import RDF, SH, XSD, TripleIndex, parse_path, shape_key
from spacekg.terms import Term

#: parameters whose value is a number of values or characters
INTEGER_PARAMETERS = (
    "minCount",
    "maxCount",
    "minLength",
    "maxLength",
    "qualifiedMinCount",
    "qualifiedMaxCount",
)
#: datatypes whose values are integers (XSD's integer and the types derived from it)
INTEGER_TYPES = frozenset(
    XSD + t
    for t in (
        "integer",
        "nonNegativeInteger",
        "positiveInteger",
        "nonPositiveInteger",
        "negativeInteger",
        "long",
        "int",
        "short",
        "byte",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
    )
)
#: parameters whose value is an RDF list
LIST_PARAMETERS = ("in", "languageIn", "and", "or", "xone", "ignoredProperties")
_INTEGER = re.compile(r"[+-]?[0-9]+")
_FLAGS = {"i": re.IGNORECASE, "s": re.DOTALL, "m": re.MULTILINE, "x": re.VERBOSE, "q": 0}


class ShapesRefused(InputError):
    """The shapes graph is malformed; the message says where, not which file (the caller
    knows the file)."""


def check_shapes(g: TripleIndex) -> None:
    """Raise :class:`ShapesRefused` for the first malformed construct of the shapes graph."""
    for name in INTEGER_PARAMETERS:
        for shape in g.subjects(SH + name):
            for value in g.objects(shape, SH + name):
                if not _is_integer(value):
                    raise ShapesRefused(
                        f"sh:{name} {value.n3()} of {shape_key(g, shape)} is not an integer "
                        f'(write e.g. sh:{name} 1 or "1"^^xsd:integer)'
                    )
    for name in LIST_PARAMETERS:
        for shape in g.subjects(SH + name):
            for head in g.objects(shape, SH + name):
                if head.kind == "literal" or (
                    head != Term("uri", RDF + "nil") and g.value(head, RDF + "first") is None
                ):
                    raise ShapesRefused(
                        f"sh:{name} {head.n3()} of {shape_key(g, shape)} is not an RDF list "
                        "(write ( ... ))"
                    )
                try:
                    g.items(head)
                except InputError as err:
                    raise ShapesRefused(
                        f"sh:{name} of {shape_key(g, shape)}: {err.message}"
                    ) from None
    for shape in g.subjects(SH + "pattern"):
        flags_t = g.value(shape, SH + "flags")
        flags = 0
        for ch in flags_t.value if flags_t is not None else "":
            flags |= _FLAGS.get(ch, 0)
        for pat in g.objects(shape, SH + "pattern"):
            if pat.kind != "literal":
                raise ShapesRefused(f"sh:pattern {pat.n3()} of {shape_key(g, shape)} is not text")
            try:
                re.compile(pat.value, flags)
            except re.error as err:
                raise ShapesRefused(
                    f"sh:pattern {pat.value[:80]!r} of {shape_key(g, shape)} is not a regular "
                    f"expression: {err}"
                ) from None
    for shape in _property_shapes(g):
        paths = g.objects(shape, SH + "path")
        if len(paths) != 1:
            what = "no sh:path" if not paths else f"{len(paths)} sh:path values"
            raise ShapesRefused(
                f"the property shape {shape_key(g, shape)} has {what} (a property shape has "
                "exactly one)"
            )
        try:
            parse_path(g, paths[0])
        except InputError as err:
            raise ShapesRefused(f"{err.message} (in {shape_key(g, shape)})") from None


def _is_integer(t: Term) -> bool:
    return t.kind == "literal" and t.datatype in INTEGER_TYPES and bool(_INTEGER.fullmatch(t.value))


def _property_shapes(g: TripleIndex) -> list[Term]:
    found = dict.fromkeys(g.subjects(SH + "path"))
    for parent in g.subjects(SH + "property"):
        found.update(dict.fromkeys(g.objects(parent, SH + "property")))
    found.update(dict.fromkeys(g.subjects(RDF + "type", Term("uri", SH + "PropertyShape"))))
    return list(found)
