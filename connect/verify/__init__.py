"""Verification away from the workspace; imports nothing, so diagnostics engines load only when a plan is verified."""
