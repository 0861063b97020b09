#!/bin/sh
# tests/system/gnumach-runtime.sh — the runtime-basics module (the user
# runtime's own checks) on the reference GNU Mach; one TAP line.
exec "$(dirname "$0")/gnumach-hello.sh" runtime-basics
