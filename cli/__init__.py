"""patchgate.cli."""
