"""patchgate.rewrites."""
