#!/bin/sh
# Test accuracy command: reads the architecture JSON on stdin, prints a number that grows
# with the resolution (so a search has something to prefer).
in=$(cat)
res=$(printf '%s' "$in" | sed -n 's/.*"resolution":\([0-9]*\).*/\1/p')
echo "$((50 + res / 16))"
