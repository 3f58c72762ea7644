"""The change under decision, however submitted; imports nothing, so unidiff loads only for a patch."""
