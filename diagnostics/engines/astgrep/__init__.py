"""The ast-grep adapter, one module per concern; imports nothing, so sgconfig reading never loads ast_grep_py."""
