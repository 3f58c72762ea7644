{ pkgs }:
let src = builtins.fetchurl "https://example.org/a.tar.gz";
in pkgs.hello
