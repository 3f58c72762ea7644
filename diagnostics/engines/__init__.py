"""patchgate.diagnostics.engines."""
