#!/bin/sh
# convert.sh FERRY: run the conversion benchmark (see convert.py).
exec python3 "$(dirname "$0")/convert.py" "$@"
