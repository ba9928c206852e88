"""The spacekg command line: a thin Click layer (the only package that imports click).

Each command parses its options, calls one library function, renders the result and sets the
exit code. Library imports happen inside the commands, so ``spacekg query run`` does not pay
for rdflib when it does not need it.
"""

from spacekg.cli.app import main

__all__ = ["main"]
