"""spacekg's benchmark harness: ``python -m benchmarks run [--quick]``; see its README.md."""
