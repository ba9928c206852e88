"""spacekg: a knowledge graph of space diplomacy in RDF, and the tools to use it."""

__version__ = "0.1.0"
