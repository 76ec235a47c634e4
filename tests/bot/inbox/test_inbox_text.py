"""The inbox's words live in bot/inbox/content: every key used exists in Danish and English with
the same placeholders, and no template or module carries human text of its own."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
from jinja2 import Environment, nodes
from markupsafe import Markup

from bot.domain.outbox_fate import Fate
from bot.inbox import schedule
from bot.inbox.text import INBOX_CONTENT_DIR, WEEKDAY_KEYS, InboxText, inbox_content
from bot.kernel.errors import ContentError
from bot.kernel.messages import AttachmentProblem
from bot.store.models import BookingStatus, ConversationStatus, MessageStatus
from flows.content import LANGUAGES, Content

INBOX_DIR = Path(schedule.__file__).resolve().parent
TEMPLATE_DIR = INBOX_DIR / "templates"
TEMPLATES = sorted(TEMPLATE_DIR.glob("*.html"))
MODULES = sorted(INBOX_DIR.rglob("*.py"))
CONTENT_FILES = {path.stem for path in (INBOX_CONTENT_DIR / "da").glob("*.yml")}
# A content key as code writes it: "<file>.<key>", the file one of the inbox's content files.
KEY = re.compile(r"^([a-z_]+)\.([a-z0-9_]+)$")
LETTER = re.compile(r"[^\W\d_]")
# strftime and %-format directives ("%d.%m.%Y", "%.0f") are patterns, not words.
DIRECTIVE = re.compile(r"%[-#.0-9]*[A-Za-z]")


@dataclass(frozen=True, slots=True)
class KeyUse:
    where: str
    key: str
    params: frozenset[str] | None  # None: the call passes parameters we cannot see (**kwargs)


def _is_key(value: object) -> bool:
    match = KEY.match(value) if isinstance(value, str) else None
    # "login.html" names a template, not the key "html" of login.yml.
    return match is not None and match.group(1) in CONTENT_FILES and match.group(2) != "html"


# -- what the templates use ---------------------------------------------------------------------


def _parse(template: Path) -> nodes.Template:
    return Environment(autoescape=True).parse(template.read_text(encoding="utf-8"))


def _t_calls(tree: nodes.Template) -> Iterator[nodes.Call]:
    for call in tree.find_all(nodes.Call):
        if isinstance(call.node, nodes.Name) and call.node.name == "t":
            yield call


def template_key_uses() -> list[KeyUse]:
    uses = []
    for template in TEMPLATES:
        for call in _t_calls(_parse(template)):
            first = call.args[0]
            if isinstance(first, nodes.Const):
                params = frozenset(kw.key for kw in call.kwargs)
                uses.append(KeyUse(template.name, first.value, params))
    return uses


def template_key_prefixes() -> list[tuple[str, str]]:
    """Keys built in the template (``t("absence." ~ a.reason)``): their constant prefixes."""
    prefixes = []
    for template in TEMPLATES:
        for call in _t_calls(_parse(template)):
            first = call.args[0]
            if isinstance(first, nodes.Concat | nodes.Add):
                head = first.nodes[0] if isinstance(first, nodes.Concat) else first.left
                assert isinstance(head, nodes.Const), f"{template.name}: {first}"
                prefixes.append((template.name, head.value))
    return prefixes


# -- what the Python modules use ----------------------------------------------------------------


def _docstrings(tree: ast.Module) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def module_key_uses() -> list[KeyUse]:
    uses = []
    for module in MODULES:
        tree = ast.parse(module.read_text(encoding="utf-8"))
        in_calls: set[int] = set()
        for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
            for arg in call.args:
                if isinstance(arg, ast.Constant) and _is_key(arg.value):
                    in_calls.add(id(arg))
                    names = [kw.arg for kw in call.keywords]
                    params = None if None in names else frozenset(str(n) for n in names)
                    uses.append(KeyUse(f"{module.name}:{arg.lineno}", arg.value, params))
        for node in ast.walk(tree):
            # A key returned or passed on (a notice key, a chart title) is used without params.
            if isinstance(node, ast.Constant) and _is_key(node.value) and id(node) not in in_calls:
                uses.append(KeyUse(f"{module.name}:{node.lineno}", node.value, frozenset()))
    return uses


# -- (a) every key exists in both languages, with the placeholders its use fills ----------------


def test_the_inbox_content_loads_with_english_for_every_danish_text() -> None:
    content = inbox_content()
    for path in sorted((INBOX_CONTENT_DIR / "da").glob("*.yml")):
        import yaml

        for key in yaml.safe_load(path.read_text(encoding="utf-8")):
            dotted = f"{path.stem}.{key}"
            assert content.has("en", dotted), dotted
            assert content.placeholders("da", dotted) == content.placeholders("en", dotted)


def test_the_scans_below_find_what_they_look_for() -> None:
    """A scan that finds nothing would pass whatever the code does."""
    templates = {use.where for use in template_key_uses()}
    assert templates == {path.name for path in TEMPLATES}
    keys = {use.key for use in module_key_uses()}
    assert {"errors.note_empty", "notices.reply_sent", "errors.slot_weeks"} <= keys
    assert {prefix for _, prefix in template_key_prefixes()} == {
        "absence.",
        "bookings.mark_",
        "attachments.problem_",
        "outbox.",
    }


def test_every_key_used_exists_in_both_languages_with_the_placeholders_given() -> None:
    content = inbox_content()
    problems = []
    for use in template_key_uses() + module_key_uses():
        for language in LANGUAGES:
            if not content.has(language, use.key):
                problems.append(f"{use.where}: {use.key} missing in {language}")
            elif use.params is not None and content.placeholders(language, use.key) != use.params:
                problems.append(f"{use.where}: {use.key} in {language} wants other parameters")
    assert problems == []


def test_keys_built_from_codes_exist_for_every_code() -> None:
    content = inbox_content()
    codes = {
        "bookings.mark_": [status.value for status in schedule.MARKABLE],
        "absence.": ["own_sickness", "child_sick", "other"],
        "attachments.problem_": [problem.value for problem in AttachmentProblem],
        "outbox.": [fate.value for fate in Fate],
        "status.": [s.value for s in (*BookingStatus, *ConversationStatus, *MessageStatus)],
    }
    for prefix in {prefix for _, prefix in template_key_prefixes()} | {"status."}:
        for code in codes[prefix]:
            for language in LANGUAGES:
                assert content.has(language, prefix + code), (language, prefix + code)
    for key in WEEKDAY_KEYS:
        assert content.has("en", key)


def test_the_absence_codes_listed_above_are_the_databases() -> None:
    from bot.store.models import AbsenceNotice

    constraint = str(
        next(
            c
            for c in AbsenceNotice.__table__.constraints
            if getattr(c, "name", "") and "reason" in str(c.name)
        ).sqltext  # type: ignore[attr-defined]
    )
    assert set(re.findall(r"'(\w+)'", constraint)) == {"own_sickness", "child_sick", "other"}


def test_a_missing_parameter_or_text_is_a_content_error() -> None:
    text = InboxText("en")
    with pytest.raises(ContentError, match="max_weeks"):
        text("errors.slot_weeks")
    with pytest.raises(ContentError, match="nowhere"):
        text.markup("errors.nowhere")


def test_markup_escapes_the_text_and_its_parameters_but_not_markup_parameters(
    tmp_path: Path,
) -> None:
    for language in LANGUAGES:
        (tmp_path / language).mkdir()
        (tmp_path / language / "t.yml").write_text("x: 'a < b, {who} {code}'\n", encoding="utf-8")
    text = InboxText("da", Content.load(tmp_path))
    rendered = text.markup("t.x", who="<script>", code=Markup("<code>c</code>"))
    assert rendered == "a &lt; b, &lt;script&gt; <code>c</code>"


# -- (b) no human text outside content lookups --------------------------------------------------

# Attributes a person reads or hears (a screen reader reads aria-label and title).
VISIBLE_ATTRIBUTES = {"placeholder", "title", "aria-label", "alt", "label"}
BUTTON_INPUTS = {"submit", "button", "reset"}


class _TextFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name, value in attrs:
            visible = name in VISIBLE_ATTRIBUTES or (
                name == "value"
                and (tag == "button" or (tag == "input" and values.get("type") in BUTTON_INPUTS))
            )
            if visible and value and LETTER.search(value):
                self.found.append(f"<{tag} {name}={value!r}>")

    def handle_data(self, data: str) -> None:
        if LETTER.search(data):
            self.found.append(data.strip())


def literal_text(source: str) -> list[str]:
    """Letters in the template's own markup: its data with every ``{{ }}`` as a digit (so
    "Borger #{{ id }}" keeps its word) and every ``{% %}`` as a space."""
    env = Environment(autoescape=True)
    parts, inside = [], None
    for _, token, value in env.lex(source):
        if token in ("variable_begin", "block_begin", "comment_begin"):
            inside = token
        elif token in ("variable_end", "block_end", "comment_end"):
            parts.append("0" if inside == "variable_begin" else " ")
            inside = None
        elif token == "data" and inside is None:
            parts.append(value)
    finder = _TextFinder()
    finder.feed("".join(parts))
    finder.close()
    return finder.found


def literal_strings(source: str) -> list[str]:
    """String constants in expressions that would be shown: not keys, comparisons, patterns."""
    tree = Environment(autoescape=True).parse(source)
    allowed: set[int] = set()
    for call in _t_calls(tree):
        for node in call.args[0].find_all(nodes.Const):
            allowed.add(id(node))
        if isinstance(call.args[0], nodes.Const):
            allowed.add(id(call.args[0]))
    for compare in tree.find_all(nodes.Compare):
        for node in compare.find_all(nodes.Const):
            allowed.add(id(node))
    for include in (*tree.find_all(nodes.Include), *tree.find_all(nodes.Extends)):
        allowed.add(id(include.template))
    return [
        node.value
        for node in tree.find_all(nodes.Const)
        if isinstance(node.value, str)
        and id(node) not in allowed
        and LETTER.search(DIRECTIVE.sub("", node.value))
    ]


def test_the_scanner_finds_text_in_data_attributes_and_expressions() -> None:
    source = (
        '<h1>Samtaler</h1><p>Borger #{{ id }}</p><input placeholder="fx Syg">'
        '<button value="Gem">{{ t("common.save") }}</button>'
        '<input type="hidden" value="csrf"><td class="muted">{{ "%H:%M" }} &nbsp; 12 %</td>'
        '{{ name or "ukendt" }}{% if x == "waiting" %}{{ t("a." ~ x) }}{% endif %}'
    )
    assert literal_text(source) == [
        "Samtaler",
        "Borger #0",
        "<input placeholder='fx Syg'>",
        "<button value='Gem'>",
    ]
    assert literal_strings(source) == ["ukendt"]


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: path.name)
def test_a_template_has_no_human_text_of_its_own(template: Path) -> None:
    source = template.read_text(encoding="utf-8")
    assert literal_text(source) == []
    assert literal_strings(source) == []


def test_no_module_of_the_inbox_carries_danish_text() -> None:
    """Danish text in code (æ, ø, å, or a Danish word the inbox used to hard-code) belongs in
    content. The account CLI is excepted: it speaks English to an administrator, and its demo
    place is data ("Jobcentret, Rådhuspladsen 1")."""
    danish = re.compile(r"[æøåÆØÅ]|\b(ikke|findes|borgeren|samtalen|skriv|er gemt|er sendt)\b")
    found = []
    for module in MODULES:
        if module.name == "cli.py":
            continue
        tree = ast.parse(module.read_text(encoding="utf-8"))
        docstrings = _docstrings(tree)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings
                and danish.search(node.value)
            ):
                found.append(f"{module.name}:{node.lineno}: {node.value!r}")
    assert found == []
