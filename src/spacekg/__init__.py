"""spacekg: a knowledge graph of space diplomacy in RDF, and the tools to use it.

The library's front door: each function here is what one command does, with typed results.
"""

from spacekg.project import package_version

__version__ = package_version()
