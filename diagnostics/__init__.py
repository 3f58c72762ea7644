"""patchgate.diagnostics."""
