"""NLU benchmark: prints training time, parse latency in process and over HTTP, and server RSS.

    .venv/bin/python bench/nlu_bench.py [--requests 2000] [--rasa-url http://127.0.0.1:5005]

It trains the embedded model, times ``parse`` in process over the held-out messages, then
starts the real server (``borgerchat serve``, everything imported, a fresh SQLite database) on
a loopback port, times ``POST /nlu/parse`` over one keep-alive connection and reads the
server's resident memory from /proc. With ``--rasa-url`` it also scores a running Rasa server
on the held-out set and times its ``/model/parse`` the same way (see bench/rasa_compare.sh).

Both recognizers are also scored on the three real-phrasing sets (``nlu/eval/real_phrasing.yml``,
``nlu/eval/sealed.yml`` and ``nlu/eval/independent.yml``: messages modelled on public pages nobody
here wrote, never trained on; the last labelled blind by two labellers), overall and per source
kind, style, language and intent, with out-of-scope recall, crisis recall, the share of
non-crisis messages kept out of crisis, and how often a wrong intent is given instead of a
fallback. ``--real-only`` skips the timing; ``--sets real-phrasing`` leaves the sealed and
independent sets out while tuning. Figures only: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from flows.concerns import concerns_of, several_concerns  # noqa: E402
from flows.conversation import UNREAD_LETTER_CHARS  # noqa: E402
from nlu.concerns import ConcernReader  # noqa: E402
from nlu.embedded import EmbeddedRecognizer  # noqa: E402
from nlu.real_phrasing import EVALUATION_SETS, RealMessage, load_real_phrasing  # noqa: E402
from nlu.training_data import DEFAULT_DATA_DIR, DEFAULT_TEST_DIR, load_training_data  # noqa: E402


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def report(label: str, samples_ms: list[float]) -> None:
    print(
        f"{label:<28} p50 {percentile(samples_ms, 0.5):7.3f} ms   "
        f"p99 {percentile(samples_ms, 0.99):7.3f} ms   "
        f"{1000 / statistics.mean(samples_ms):9.0f} parses/s"
    )


def time_calls(call: Callable[[str], object], texts: list[str], total: int) -> list[float]:
    for text in texts[:50]:  # warm up
        call(text)
    samples = []
    for index in range(total):
        text = texts[index % len(texts)]
        started = time.perf_counter()
        call(text)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def misspell(text: str, rng: random.Random) -> str:
    """About one typo per 15 characters: a letter dropped, doubled, swapped or replaced."""
    chars = list(text)
    for _ in range(max(1, len(text) // 15)):
        index = rng.randrange(len(chars))
        operation = rng.choice("dswr")
        if operation == "d" and len(chars) > 2:
            del chars[index]
        elif operation == "s" and index + 1 < len(chars):
            chars[index], chars[index + 1] = chars[index + 1], chars[index]
        elif operation == "r":
            chars[index] = rng.choice("abcdefghijklmnopqrstuvwxyz")
        else:
            chars.insert(index, chars[index])
    return "".join(chars)


def robustness(recognizer: EmbeddedRecognizer, texts: list[str], intents: list[str]) -> None:
    """Accuracy on the held-out set as written, without æøå, in capitals and misspelt."""
    rng = random.Random(1)
    variants: dict[str, Callable[[str], str]] = {
        "as written": lambda text: text,
        "without æøå": lambda text: text.translate(str.maketrans("æøåÆØÅ", "aoaAOA")),
        "in capitals": str.upper,
        "misspelt (1 in 15 chars)": lambda text: misspell(text, rng),
    }
    for name, change in variants.items():
        predicted = [recognizer.parse(change(text))["intent"]["name"] for text in texts]
        right = sum(p == e for p, e in zip(predicted, intents, strict=True))
        crisis = [p for p, e in zip(predicted, intents, strict=True) if e == "crisis"]
        print(
            f"  {name:<26} accuracy {right / len(texts):.3f}, macro-F1 "
            f"{macro_f1(intents, predicted):.3f}, crisis {crisis.count('crisis')}/{len(crisis)}"
        )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def macro_f1(expected: list[str], predicted: list[str]) -> float:
    scores = []
    for label in sorted(set(expected)):
        tp = sum(e == p == label for e, p in zip(expected, predicted, strict=True))
        fp = sum(p == label != e for e, p in zip(expected, predicted, strict=True))
        fn = sum(e == label != p for e, p in zip(expected, predicted, strict=True))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        scores.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return sum(scores) / len(scores)


def _share(part: int, whole: int) -> str:
    return f"{part}/{whole} ({part / whole:.3f})" if whole else "0/0"


def real_phrasing_report(
    name: str, parse: Callable[[str], dict[str, Any]], sets: dict[str, list[RealMessage]]
) -> None:
    for set_name, messages in sets.items():
        set_report(name, set_name, parse, messages)


def set_report(
    name: str, set_name: str, parse: Callable[[str], dict[str, Any]], messages: list[RealMessage]
) -> None:
    """Scores on wording nobody here wrote; a fallback is a miss but not a wrong answer."""
    parses = [parse(message.text) for message in messages]
    results = [result["intent"] for result in parses]
    predicted = [str(result["name"]) for result in results]
    expected = [message.intent for message in messages]
    pairs = list(zip(expected, predicted, strict=True))
    right = sum(e == p for e, p in pairs)
    wrong = [(e, p) for e, p in pairs if e != p and p != "nlu_fallback"]
    crisis = [p for e, p in pairs if e == "crisis"]
    calm = [p for e, p in pairs if e != "crisis"]
    outside = [p for e, p in pairs if e == "out_of_scope"]
    print(
        f"{name} on the {set_name} set ({len(messages)} messages): accuracy "
        f"{right / len(messages):.3f}, macro-F1 {macro_f1(expected, predicted):.3f}"
    )
    print(f"  out-of-scope recall     {_share(outside.count('out_of_scope'), len(outside))}")
    print(f"  crisis recall           {_share(crisis.count('crisis'), len(crisis))}")
    print(f"  non-crisis kept calm    {_share(len(calm) - calm.count('crisis'), len(calm))}")
    print(f"  wrong intent given      {_share(len(wrong), len(messages))}")
    print(f"  fallbacks               {_share(predicted.count('nlu_fallback'), len(messages))}")
    citizen_outcomes(parses, messages)
    for field in ("source_kind", "style", "language"):
        groups: dict[str, list[tuple[str, str]]] = {}
        for message, pair in zip(messages, pairs, strict=True):
            groups.setdefault(getattr(message, field), []).append(pair)
        for group, members in sorted(groups.items()):
            group_expected = [e for e, _ in members]
            group_predicted = [p for _, p in members]
            hits = sum(e == p for e, p in members)
            print(
                f"  {field} {group:<16} n={len(members):<4} accuracy {hits / len(members):.3f}"
                f"  macro-F1 {macro_f1(group_expected, group_predicted):.3f}"
            )
    for intent in sorted(set(expected)):
        relevant = sum(e == intent for e in expected)
        chosen = sum(p == intent for p in predicted)
        hits = sum(e == p == intent for e, p in pairs)
        precision = f"{hits / chosen:.2f}" if chosen else "  - "
        recall = f"{hits / relevant:.2f}"
        print(f"  intent {intent:<20} n={relevant:<3} recall {recall}  precision {precision}")
    confusions: dict[tuple[str, str], int] = {}
    for pair in wrong:
        confusions[pair] = confusions.get(pair, 0) + 1
    common = sorted(confusions.items(), key=lambda item: (-item[1], item[0]))
    print("  confusions: " + ", ".join(f"{e}->{p} {n}" for (e, p), n in common))


def citizen_outcomes(parses: list[dict[str, Any]], messages: list[RealMessage]) -> None:
    """What the citizen meets, in the dialogue engine's order: a message about several distinct
    things goes to a person with them listed (flows/concerns.py) before any one is answered, and
    a letter the bot cannot read goes to a person too (flows/conversation.py)."""
    answered = to_person = listed = unread_letters = asked_again = wrong = 0
    for result, message in zip(parses, messages, strict=True):
        predicted = str(result["intent"]["name"])
        if predicted != "crisis" and several_concerns(result, message.text):  # type: ignore[arg-type]
            to_person += 1
            listed += message.intent in concerns_of(result)  # type: ignore[arg-type]
        elif predicted == message.intent:
            answered += 1
        elif predicted == "nlu_fallback" and len(message.text) >= UNREAD_LETTER_CHARS:
            unread_letters += 1
        elif predicted == "nlu_fallback":
            asked_again += 1
        else:
            wrong += 1
    total = len(messages)
    print(
        f"  as the citizen meets it: answered on the labelled intent {_share(answered, total)}, "
        f"to a person with several concerns listed {_share(to_person, total)} (the labelled "
        f"one among them {listed}), a letter it could not read to a person "
        f"{_share(unread_letters, total)}, asked again {_share(asked_again, total)}, "
        f"answered on another intent {_share(wrong, total)}"
    )


class RasaAsServed:
    """A running Rasa server's own answers, without the safety net and fallback borgerchat adds
    (nlu/rasa_client.py), in the recognizer shape, so they can be read sentence by sentence."""

    def __init__(self, url: str) -> None:
        self.client = KeepAliveClient(url.rstrip("/") + "/model/parse")

    def parse(self, text: str, *, now: object = None) -> dict[str, Any]:
        return self.client.post(text)


class KeepAliveClient:
    """POSTs JSON over one kept-alive connection with the standard library's http.client,
    whose own overhead is a fraction of httpx's, so the figures are mostly the server's."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.path = parts.path
        self.connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port)

    def post(self, text: str) -> dict[str, Any]:
        body = json.dumps({"text": text}).encode()
        self.connection.request(
            "POST", self.path, body=body, headers={"Content-Type": "application/json"}
        )
        response = self.connection.getresponse()
        payload = response.read()
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}: {payload[:200]!r}")
        result: dict[str, Any] = json.loads(payload)
        return result


def http_bench(name: str, url: str, texts: list[str], intents: list[str], total: int) -> None:
    client = KeepAliveClient(url)
    predicted = [client.post(text)["intent"]["name"] for text in texts]
    crisis = [p for p, e in zip(predicted, intents, strict=True) if e == "crisis"]
    print(
        f"{name:<28} macro-F1 {macro_f1(intents, predicted):.3f} on {len(texts)} held-out "
        f"messages, crisis recognised {crisis.count('crisis')}/{len(crisis)}"
    )
    report(f"{name} HTTP", time_calls(client.post, texts, total))
    client.connection.close()


def start_server(workdir: Path, model_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.db'}",
        "BORGERCHAT_NLU__MODEL_DIR": str(model_dir),
        "BORGERCHAT_SERVER__LOG_LEVEL": "WARNING",
    }
    borgerchat = str(Path(sys.executable).with_name("borgerchat"))
    subprocess.run([borgerchat, "db", "upgrade"], env=env, check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen(
        [borgerchat, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return server, base
        except httpx.HTTPError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("the server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rasa-url", help="also benchmark a running Rasa server")
    parser.add_argument("--real-only", action="store_true", help="accuracy only, no timing")
    parser.add_argument(
        "--sets", nargs="+", choices=sorted(EVALUATION_SETS), default=list(EVALUATION_SETS),
        help="which real-phrasing sets to score (while tuning, leave the sealed one out)",
    )  # fmt: skip
    arguments = parser.parse_args()
    real_messages = {name: load_real_phrasing(EVALUATION_SETS[name]) for name in arguments.sets}

    held_out = load_training_data(DEFAULT_TEST_DIR).examples
    texts = [example.text for example in held_out]
    intents = [example.intent for example in held_out]
    examples = len(load_training_data(DEFAULT_DATA_DIR).examples)

    with tempfile.TemporaryDirectory() as scratch:
        workdir = Path(scratch)
        model_dir = workdir / "model"
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "nlu.trainer", "--data", str(DEFAULT_DATA_DIR),
             "--out", str(model_dir)],
            check=True, capture_output=True, cwd=REPO,
        )  # fmt: skip
        wall = time.perf_counter() - started
        from nlu.linear_model import read_meta

        meta = read_meta(model_dir) or {}
        print(
            f"training: {meta.get('training_seconds')} s fitting {examples} examples, "
            f"{wall:.2f} s wall including the subprocess and imports"
        )
        recognizer = EmbeddedRecognizer.load(model_dir)
        print(f"held-out set ({len(texts)} messages, in process):")
        robustness(recognizer, texts, intents)
        concerns = ConcernReader(recognizer)
        real_phrasing_report("embedded", concerns.parse, real_messages)  # type: ignore[arg-type]
        if arguments.real_only:
            if arguments.rasa_url:
                rasa = ConcernReader(RasaAsServed(arguments.rasa_url))  # type: ignore[arg-type]
                real_phrasing_report("rasa", rasa.parse, real_messages)  # type: ignore[arg-type]
            return
        report("embedded in-process", time_calls(recognizer.parse, texts, arguments.requests * 5))

        server, base = start_server(workdir, model_dir)
        try:
            print(f"server RSS after start: {rss_mb(server.pid):.1f} MB")
            http_bench("embedded", f"{base}/nlu/parse", texts, intents, arguments.requests)
            print(f"server RSS after {arguments.requests} parses: {rss_mb(server.pid):.1f} MB")
        finally:
            server.terminate()
            server.wait(timeout=10)
    if arguments.rasa_url:
        http_bench("rasa", arguments.rasa_url.rstrip("/") + "/model/parse", texts, intents,
                   arguments.requests)  # fmt: skip
        rasa = ConcernReader(RasaAsServed(arguments.rasa_url))  # type: ignore[arg-type]
        real_phrasing_report("rasa", rasa.parse, real_messages)  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
