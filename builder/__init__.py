"""patchgate.builder."""
