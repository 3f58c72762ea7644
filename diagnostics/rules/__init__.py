"""patchgate.diagnostics.rules."""
