#!/usr/bin/env bash
# `make run`: bring the database up to date, make sure the demo municipality exists and has
# residents, and print its summary. Until the API exists (issue "Staff API"), this is the service.
#   scripts/run-demo.sh CODE RESIDENTS
set -euo pipefail
cd "$(dirname "$0")/.."
code=${1:-131016}
residents=${2:-300}
bin=.venv/bin/jichitai

"$bin" db upgrade
if ! "$bin" municipality list --json | grep -q "\"$code\""; then
    "$bin" municipality add "$code" 東京都千代田区
fi
persons=$("$bin" stats --municipality "$code" --json | .venv/bin/python -c 'import json,sys; print(json.load(sys.stdin)["persons"])')
if [ "$persons" -eq 0 ]; then
    echo "デモデータを作成しています（${residents}人）..."
    "$bin" demo seed --municipality "$code" --residents "$residents" --seed 1
fi
"$bin" stats --municipality "$code"
"$bin" journal verify --municipality "$code"
echo
echo "例: $bin resident search --municipality $code たかはし"
echo "    $bin resident show --municipality $code <宛名番号> --history --json"
