"""patchgate.lsp_server."""
