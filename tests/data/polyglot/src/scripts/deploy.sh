#!/bin/sh
eval "$COMMAND"
echo done
