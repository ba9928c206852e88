"""Hostile input, continued: shapes files pySHACL refuses. Each case runs the real command in
a subprocess (the helper of :mod:`test_hostile`: no traceback, no "internal error", no death
by signal)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_hostile import spacekg

FIXTURES = Path(__file__).parent / "fixtures"
BAD_SHAPES = sorted((FIXTURES / "bad-shapes").glob("*.ttl"))
BAD_SHAPES_DATA = FIXTURES / "bad-shapes-data.ttl"


def _expected(shapes: Path) -> tuple[str, str]:
    """(what pySHACL does with the file, the words our message must hold), from its comment."""
    m = re.search(r"^# pySHACL: (.*); expect: (.*)$", shapes.read_text(), re.MULTILINE)
    assert m, f"{shapes.name} has no '# pySHACL: ...; expect: ...' comment"
    return m.group(1), m.group(2)


# --- a shapes file pySHACL refuses ----------------------------------------------------------------


def test_there_are_bad_shapes_fixtures() -> None:
    assert len(BAD_SHAPES) >= 7


@pytest.mark.parametrize("shapes", BAD_SHAPES, ids=lambda p: p.stem)
@pytest.mark.parametrize("engine", ["auto", "fast", "pyshacl"])
def test_a_malformed_shapes_file_is_exit_3_naming_it(shapes: Path, engine: str) -> None:
    _, words = _expected(shapes)
    code, out, err = spacekg(
        "validate", str(BAD_SHAPES_DATA), "--shapes", str(shapes), "--engine", engine
    )
    assert code == 3, err
    assert err.strip().count("\n") == 0, err
    assert str(shapes) in err and words in err, err
    assert out == ""


#: the fixtures pySHACL itself refuses (the others it reads as something else)
REFUSED = [p for p in BAD_SHAPES if not _expected(p)[0].startswith("reads it")]


@pytest.mark.parametrize("shapes", REFUSED, ids=lambda p: p.stem)
def test_pyshacl_itself_refuses_the_fixture(shapes: Path) -> None:
    """The fixtures are what they claim: pySHACL, given them directly, raises."""
    import pyshacl
    from rdflib import Graph

    data = Graph().parse(BAD_SHAPES_DATA)
    with pytest.raises(Exception) as refused:  # its classes differ per case
        pyshacl.validate(data, shacl_graph=Graph().parse(shapes), advanced=False)
    name = type(refused.value).__name__
    assert name in ("ShapeLoadError", "ConstraintLoadError", "ReportableRuntimeError", "error")
    assert name in _expected(shapes)[0]  # the comment names the class pySHACL raises


@pytest.mark.parametrize("shapes", REFUSED, ids=lambda p: p.stem)
def test_pyshacls_own_refusal_is_caught_too(shapes: Path) -> None:
    """The pySHACL engine turns pySHACL's load errors into ShapesRefused even for a graph our
    own check would have let through (it is called here without that check)."""
    from spacekg.shacl import api
    from spacekg.shacl.wellformed import ShapesRefused

    g, quads = api.shapes_index(shapes)
    store = api.build_store([BAD_SHAPES_DATA], None)
    with pytest.raises(ShapesRefused, match="pySHACL refuses it"):
        api._validate_pyshacl(store, g, quads, "none", None)
