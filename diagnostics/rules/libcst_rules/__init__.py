"""patchgate.diagnostics.rules.libcst_rules."""
