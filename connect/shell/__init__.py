"""The tree-sitter-bash adapter, one module per stage; imports nothing, so each stage loads only when used."""
