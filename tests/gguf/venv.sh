#!/bin/sh
# venv.sh PYTHON SCRIPT ARGS...: runs SCRIPT with the project's venv python, or
# fails (exit 1, not a skip) saying how to make the venv when it is missing.
py=$1
shift
if [ ! -x "$py" ]; then
  echo "$(basename "$1"): the project's venv ($py) is missing: run scripts/install-python-deps" >&2
  exit 1
fi
exec "$py" "$@"
