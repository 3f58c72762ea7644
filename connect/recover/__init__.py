"""Crash recovery of an interrupted apply, kept out of start-up: imports nothing until a journal is found."""
