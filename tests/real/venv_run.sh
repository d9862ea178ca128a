#!/bin/sh
# venv_run.sh PYTHON SCRIPT ARGS... — runs a real-model check with the project's virtual
# environment, or fails saying how to make it (never a silent skip: these tests are part
# of make test, which installs the venv first).
py=$1
if [ ! -x "$py" ]; then
  echo "error: $py is missing: run scripts/install-python-deps (make deps) to make the venv" >&2
  exit 1
fi
exec "$@"
