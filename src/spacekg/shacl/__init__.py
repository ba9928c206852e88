"""shacl stage."""
