"""spacekg: a knowledge graph of space diplomacy in RDF, and the tools to use it."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("spacekg")
except PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0.0.0+unknown"
