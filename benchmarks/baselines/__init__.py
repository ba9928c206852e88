"""Baseline programs the harness runs as whole processes (each file is a script)."""
