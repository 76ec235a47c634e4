#!/usr/bin/env bash
# Opt-in (not in CI): the embedded NLU side by side with Rasa 3.6 trained on the same data.
#
#   bench/rasa_compare.sh            # uses RASA_PYTHON, else a pyenv Python 3.10
#
# Builds a cached venv with rasa 3.6.21 (var/rasa-venv, or RASA_VENV), trains Rasa's pipeline
# (nlu/rasa/config.yml) on nlu/data once per data+config version, serves it on a loopback
# port, and runs bench/nlu_bench.py against both: macro-F1 on nlu/tests, HTTP latency, RSS.
set -euo pipefail
# No telemetry: nothing leaves this machine.
export RASA_TELEMETRY_ENABLED=false
cd "$(dirname "$0")/.."

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

venv="${RASA_VENV:-var/rasa-venv}"
if [[ ! -x "$venv/bin/rasa" ]]; then
    echo "rasa_compare: installing rasa 3.6.21 into $venv with $python_310 (once; takes minutes)"
    "$python_310" -m venv "$venv"
    "$venv/bin/pip" install --quiet --upgrade pip
    "$venv/bin/pip" install --quiet "rasa==3.6.21"
fi

models=var/rasa-models
version=$(cat nlu/data/*.yml nlu/rasa/config.yml | sha256sum | cut -c1-12)
name="borgerchat-nlu-$version"
if [[ ! -f "$models/$name.tar.gz" ]]; then
    echo "rasa_compare: training Rasa on nlu/data"
    started=$(date +%s.%N)
    "$venv/bin/rasa" train nlu --nlu nlu/data --config nlu/rasa/config.yml \
        --out "$models" --fixed-model-name "$name" > var/rasa-train.log 2>&1
    echo "rasa training: $(echo "$(date +%s.%N) - $started" | bc) s wall"
fi

port=$("$venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$venv/bin/rasa" run --enable-api -i 127.0.0.1 -p "$port" -m "$models/$name.tar.gz" \
    > var/rasa-server.log 2>&1 &
rasa_pid=$!
trap 'kill "$rasa_pid" 2>/dev/null || true' EXIT
for _ in $(seq 600); do
    if curl -fs "http://127.0.0.1:$port/status" > /dev/null 2>&1; then break; fi
    if ! kill -0 "$rasa_pid" 2>/dev/null; then echo "rasa server died, see var/rasa-server.log"; exit 1; fi
    sleep 0.5
done
.venv/bin/python bench/nlu_bench.py --rasa-url "http://127.0.0.1:$port" "$@"
echo "rasa server RSS: $(awk '/VmRSS/ {printf "%.1f MB", $2/1024}' "/proc/$rasa_pid/status")"
