"""Judging shell commands, one module per concern; imports nothing, so each part loads only when used."""
