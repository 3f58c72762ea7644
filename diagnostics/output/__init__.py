"""patchgate.diagnostics.output."""
