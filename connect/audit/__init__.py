"""The hash-chained audit log and its verifier; imports nothing, so the verifier loads only when asked for."""
