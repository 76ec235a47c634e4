#!/usr/bin/env bash
# Opt-in (not in CI): the embedded NLU side by side with Rasa 3.6 trained on the same data.
#
#   bench/rasa_compare.sh            # uses RASA_PYTHON, else a pyenv Python 3.10
#
# Builds a cached venv with rasa 3.6.21, trains Rasa's pipeline (nlu/rasa/config.yml) on
# nlu/data once per data+config version, serves it on a loopback port, and runs
# bench/nlu_bench.py against both: macro-F1 on nlu/tests, HTTP latency, RSS.
#
# Nothing of Rasa's is written under the checkout: the venv, the models and the logs go to
# RASA_HOME (default ${XDG_CACHE_HOME:-~/.cache}/borgerchat/rasa), and Rasa runs in a temporary
# working directory (it writes its .rasa/ cache there), removed at exit.
set -euo pipefail
# No telemetry: nothing leaves this machine.
export RASA_TELEMETRY_ENABLED=false
repo="$(cd "$(dirname "$0")/.." && pwd)"
python="${BORGERCHAT_PYTHON:-$repo/.venv/bin/python}"
rasa_home="${RASA_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/borgerchat/rasa}"
mkdir -p "$rasa_home"
workdir="$(mktemp -d "${TMPDIR:-/tmp}/borgerchat-rasa.XXXXXX")"
export RASA_CACHE_DIRECTORY="$workdir/.rasa/cache"
rasa_pid=""
cleanup() {
    if [[ -n "$rasa_pid" ]]; then kill "$rasa_pid" 2>/dev/null || true; wait "$rasa_pid" 2>/dev/null || true; fi
    rm -rf "$workdir"
}
trap cleanup EXIT

python_310="${RASA_PYTHON:-}"
if [[ -z "$python_310" ]]; then
    for candidate in "$(pyenv root 2>/dev/null || echo /root/.pyenv)"/versions/3.10.*/bin/python; do
        if [[ -x "$candidate" ]]; then python_310="$candidate"; fi
    done
fi
if [[ -z "$python_310" ]]; then
    echo "rasa_compare: no Python 3.10 found (set RASA_PYTHON); skipped"
    exit 0
fi

venv="${RASA_VENV:-$rasa_home/venv}"
if [[ ! -x "$venv/bin/rasa" ]]; then
    echo "rasa_compare: installing rasa 3.6.21 into $venv with $python_310 (once; takes minutes)"
    "$python_310" -m venv "$venv"
    "$venv/bin/pip" install --quiet --upgrade pip
    "$venv/bin/pip" install --quiet "rasa==3.6.21"
fi

models="$rasa_home/models"
version=$(find "$repo/nlu/data" -name "*.yml" | sort | xargs cat "$repo/nlu/rasa/config.yml" | sha256sum | cut -c1-12)
name="borgerchat-nlu-$version"
if [[ ! -f "$models/$name.tar.gz" ]]; then
    echo "rasa_compare: training Rasa on nlu/data (log: $rasa_home/train.log)"
    started=$(date +%s.%N)
    (cd "$workdir" && "$venv/bin/rasa" train nlu --nlu "$repo/nlu/data" \
        --config "$repo/nlu/rasa/config.yml" --out "$models" --fixed-model-name "$name") \
        > "$rasa_home/train.log" 2>&1
    echo "rasa training: $(echo "$(date +%s.%N) - $started" | bc) s wall"
fi

port=$("$venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cd "$workdir"
"$venv/bin/rasa" run --enable-api -i 127.0.0.1 -p "$port" -m "$models/$name.tar.gz" \
    > "$rasa_home/server.log" 2>&1 &
rasa_pid=$!
cd "$repo"
for _ in $(seq 600); do
    if curl -fs "http://127.0.0.1:$port/status" > /dev/null 2>&1; then break; fi
    if ! kill -0 "$rasa_pid" 2>/dev/null; then echo "rasa server died, see $rasa_home/server.log"; exit 1; fi
    sleep 0.5
done
"$python" bench/nlu_bench.py --rasa-url "http://127.0.0.1:$port" "$@"
echo "rasa server RSS: $(awk '/VmRSS/ {printf "%.1f MB", $2/1024}' "/proc/$rasa_pid/status")"
