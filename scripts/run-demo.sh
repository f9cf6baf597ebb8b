#!/usr/bin/env bash
# `make run`: bring the database up to date, make sure the demo municipality exists with
# residents and demo staff users, print how to log in, and serve the API on 127.0.0.1:8000.
#   scripts/run-demo.sh CODE RESIDENTS [PORT]
set -euo pipefail
cd "$(dirname "$0")/.."
code=${1:-131016}
residents=${2:-300}
port=${3:-${JICHITAI_PORT:-8000}}
bin=.venv/bin/jichitai
# Demo users only: a published password, never for real data (production mode refuses the
# placeholder token secret anyway).
password="jichitai-demo-password"

"$bin" db upgrade
if ! "$bin" municipality list --json | grep -q "\"$code\""; then
    "$bin" municipality add "$code" 東京都千代田区
fi
# The municipality's 町字 master (住所辞書, ADR 0013), loaded before the demo seeds: the demo's
# addresses lie in it, and an address outside it is an alert at the counter and in the API.
master="src/jichitai/layouts/town_areas/${code}.csv"
if [ -f "$master" ]; then
    "$bin" address import --municipality "$code" "$master" >/dev/null
fi
persons=$("$bin" stats --municipality "$code" --json | .venv/bin/python -c 'import json,sys; print(json.load(sys.stdin)["persons"])')
if [ "$persons" -eq 0 ]; then
    echo "デモデータを作成しています（${residents}人）..."
    "$bin" demo seed --municipality "$code" --residents "$residents" --seed 1
fi
# Certificates name their certifier (a copy without one is refused): a fictional demo mayor,
# unless an administrator has named one already.
"$bin" demo certifier --municipality "$code" >/dev/null
users=$("$bin" user list --municipality "$code" --json)
add_user() {  # login role...
    local login=$1
    shift
    if ! grep -q "\"$login\"" <<<"$users"; then
        local roles=()
        for role in "$@"; do roles+=(--role "$role"); done
        echo "$password" | "$bin" user add --municipality "$code" "$login" "${roles[@]}" >/dev/null
    fi
}
add_user demo-clerk clerk
add_user demo-reviewer reviewer
add_user demo-admin administrator
add_user demo-auditor auditor
add_user demo-officer suppression_officer dv_officer
"$bin" stats --municipality "$code"
"$bin" journal verify --municipality "$code"
cat <<TEXT

窓口画面: http://127.0.0.1:${port}/ui/ （ブラウザで開き、下のログインIDでログイン）
職員向けAPI: http://127.0.0.1:${port}/docs （OpenAPI: /openapi.json）
ログイン（デモ用。パスワードはすべて ${password}）:
  demo-clerk（窓口） demo-reviewer（審査） demo-admin（管理者） demo-auditor（監査） demo-officer（抑止・支援措置）
  curl -s -X POST http://127.0.0.1:${port}/api/v1/auth/token -d username=demo-clerk -d password=${password}
  → {"access_token": "...", "token_type": "bearer"} を Authorization: Bearer ... で送る
  curl -s 'http://127.0.0.1:${port}/api/v1/residents?q=0000000019' -H "Authorization: Bearer <token>"
停止: Ctrl+C
TEXT
exec "$bin" serve --host 127.0.0.1 --port "$port"
