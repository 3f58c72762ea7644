"""patchgate.connect."""
