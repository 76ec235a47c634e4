"""axe-core in the browser tests: every page a test opens can be checked for WCAG 2.1 AA.

axe-core is vendored (tests/vendor/axe-core/, version and checksum in its README, MPL-2.0)
so the browser tests run offline. Its source is evaluated through Playwright (the DevTools
protocol), which the app's Content Security Policy does not govern; an injected <script> tag
would be refused by it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

AXE_DIR = Path(__file__).parent / "vendor" / "axe-core"
# What a test fails on; "moderate" and "minor" are printed but allowed.
FAILING_IMPACTS = frozenset({"serious", "critical"})
# The standard a Danish public site must meet (webtilgængelighedsloven: EN 301 549, WCAG 2.1 AA).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]

RUN_AXE = """
async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    targets: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
  }));
}
"""


@cache
def axe_source() -> str:
    return (AXE_DIR / "axe.min.js").read_text(encoding="utf-8")


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Every violation axe-core finds on the page as it is now, of any impact."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    violations: list[dict[str, Any]] = page.evaluate(RUN_AXE, WCAG_TAGS)
    return violations


def describe(violations: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"  [{v['impact']}] {v['id']}: {v['help']} at {', '.join(v['targets'])}" for v in violations
    )


def assert_accessible(page: Any, context: str) -> list[dict[str, Any]]:
    """Fail on serious or critical violations; print all of them. Returns them for the report."""
    violations = axe_violations(page)
    if violations:
        print(f"axe on {context} ({page.url}):\n{describe(violations)}")
    else:
        print(f"axe on {context} ({page.url}): no violations")
    failing = [v for v in violations if v["impact"] in FAILING_IMPACTS]
    assert not failing, f"axe-core: serious or critical violations on {context}:\n" + describe(
        failing
    )
    return violations
