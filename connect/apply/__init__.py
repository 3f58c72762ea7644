"""The sole writer of project files: its gate, its file primitives and the run; imports nothing eagerly."""
