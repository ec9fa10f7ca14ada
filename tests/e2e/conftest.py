"""Browser journeys against a live server with the demo data loaded.

The tests drive the Debian Chromium at /usr/bin/chromium (``E2E_CHROMIUM`` overrides the
path). Without it they are skipped, unless ``E2E_REQUIRED=1`` is set (as CI does): then a
missing browser is a failure, not a silent skip.

Screenshots of each journey's key pages go to ``SCREENSHOT_DIR``
(default ``test-artifacts/screenshots``).
"""

from __future__ import annotations

import functools
import io
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

# Playwright's sync API runs an asyncio event loop in this thread; Django would then refuse
# ORM calls from the test code ("You cannot call this from an async context").
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path(os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DEMO_PASSWORD = "samen-een-demo"
LOGIN_PATH = "/accounts/login/"
LOGIN_SUBMIT = f"form[action$='{LOGIN_PATH}'] button[type=submit]"


def _required() -> bool:
    return os.environ.get("E2E_REQUIRED", "") == "1"


def _unavailable(reason: str):
    if _required():
        pytest.fail(f"E2E_REQUIRED=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator:
    """One headless Chromium for the whole session."""
    if not CHROMIUM.exists():
        _unavailable(f"Chromium not found at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - playwright is a dev dependency
        _unavailable(f"playwright is not installed: {exc}")
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
    except Exception as exc:
        playwright.stop()
        _unavailable(f"Chromium at {CHROMIUM} does not start: {exc}")
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def page(browser) -> Iterator:
    """A fresh context (no cookies) per test; the browser asks for Dutch like a Dutch parent."""
    context = browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def demo_site(transactional_db, live_server) -> str:
    """The live server's base URL, its database holding the demo board."""
    with override_settings(DEBUG=True):
        call_command("demo_data", stdout=io.StringIO())
    return live_server.url


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    path = Path(os.environ.get("SCREENSHOT_DIR", "test-artifacts/screenshots"))
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def shot(request, screenshot_dir) -> Callable:
    """``shot(page, "name")`` saves a full-page PNG named after the test and a counter."""
    test_name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    counter = iter(range(1, 100))

    def take(page, name: str) -> Path:
        path = screenshot_dir / f"{test_name}-{next(counter):02d}-{name}.png"
        # A tall page (the breach notices for 150 pupils are ~110,000 px) takes 10 s or more
        # on a busy machine; the actions' 15 s default is for clicks, not for this.
        page.screenshot(path=str(path), full_page=True, timeout=60_000)
        return path

    return take


def login(page, base_url: str, email: str, password: str = DEMO_PASSWORD):
    """Log in through the real form; returns the response of the form post."""
    page.goto(f"{base_url}{LOGIN_PATH}")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    with page.expect_navigation() as navigation:
        page.click(LOGIN_SUBMIT)
    return navigation.value


# One pass over the rendered page; returns a list of human-readable problems.
_A11Y_JS = r"""
(checkContrast) => {
  const problems = [];
  const visible = (el) => {
    const style = getComputedStyle(el);
    if (style.visibility === "hidden" || style.display === "none") return false;
    const rect = el.getBoundingClientRect();
    return rect.width > 1 && rect.height > 1;
  };
  const describe = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += "#" + el.id;
    if (el.name) s += "[name=" + el.name + "]";
    return s;
  };

  // 1. The page says which language it is in.
  const lang = document.documentElement.getAttribute("lang");
  if (!lang || !lang.trim()) problems.push("<html> has no lang attribute");

  // 2. Exactly one h1.
  const h1s = document.querySelectorAll("h1");
  if (h1s.length !== 1) problems.push(`expected exactly one <h1>, found ${h1s.length}`);

  // 3. Every visible form control has a label.
  const skipTypes = new Set(["hidden", "submit", "button", "reset", "image"]);
  for (const el of document.querySelectorAll("input, select, textarea")) {
    if (el.tagName === "INPUT" && skipTypes.has((el.type || "").toLowerCase())) continue;
    if (!visible(el)) continue;
    const byFor = el.id && document.querySelector(`label[for="${CSS.escape(el.id)}"]`);
    const wrapped = el.closest("label");
    const aria = (el.getAttribute("aria-label") || "").trim()
      || (el.getAttribute("aria-labelledby") || "").trim();
    if (!byFor && !wrapped && !aria) problems.push(`form control without a label: ${describe(el)}`);
  }

  // 4. Images have alt text (alt="" is allowed for decoration).
  for (const img of document.querySelectorAll("img")) {
    if (!img.hasAttribute("alt")) problems.push(`image without alt: ${img.getAttribute("src")}`);
  }

  // 5. One main landmark.
  const mains = document.querySelectorAll("main, [role=main]");
  if (mains.length !== 1) problems.push(`expected one main landmark, found ${mains.length}`);

  // 6. Headings do not skip levels (h1 -> h3 is a skip; going back up is fine).
  let previous = 0;
  for (const h of document.querySelectorAll("h1, h2, h3, h4, h5, h6")) {
    const level = Number(h.tagName[1]);
    if (level > previous + 1) {
      problems.push(`heading level skipped: <h${level}> "${h.textContent.trim()}" after ` +
        (previous ? `<h${previous}>` : "the start of the page"));
    }
    previous = level;
  }

  // 7. Optional: WCAG AA contrast for visible text.
  if (checkContrast) {
    const parse = (c) => {
      const m = c.match(/rgba?\(([^)]+)\)/);
      if (!m) return null;
      const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
      return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
    };
    const blend = (top, bottom) => ({
      r: top.r * top.a + bottom.r * (1 - top.a),
      g: top.g * top.a + bottom.g * (1 - top.a),
      b: top.b * top.a + bottom.b * (1 - top.a),
      a: 1,
    });
    const background = (el) => {
      const layers = [];
      for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
        const bg = parse(getComputedStyle(node).backgroundColor);
        if (bg && bg.a > 0) {
          layers.push(bg);
          if (bg.a >= 1) break;
        }
      }
      let result = { r: 255, g: 255, b: 255, a: 1 };
      for (const layer of layers.reverse()) result = blend(layer, result);
      return result;
    };
    const luminance = (c) => {
      const ch = [c.r, c.g, c.b].map((v) => {
        v /= 255;
        return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
      });
      return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2];
    };
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const seen = new Set();
    for (let t = walker.nextNode(); t; t = walker.nextNode()) {
      if (!t.textContent.trim()) continue;
      const el = t.parentElement;
      if (!el || seen.has(el) || !visible(el)) continue;
      seen.add(el);
      if (el.closest("[aria-hidden=true], option, script, style")) continue;
      const style = getComputedStyle(el);
      const fg = parse(style.color);
      if (!fg) continue;
      const bg = background(el);
      const ink = fg.a < 1 ? blend(fg, bg) : fg;
      const l1 = luminance(ink), l2 = luminance(bg);
      const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
      const size = parseFloat(style.fontSize);
      const bold = Number(style.fontWeight) >= 700;
      const large = size >= 24 || (bold && size >= 18.66);
      const needed = large ? 3 : 4.5;
      if (ratio + 1e-6 < needed) {
        problems.push(`low contrast ${ratio.toFixed(2)}:1 (needs ${needed}:1) for ` +
          `${describe(el)} "${el.textContent.trim().slice(0, 40)}"`);
      }
    }
  }
  return problems;
}
"""


# axe-core, vendored (see vendor/axe-core/README.md). It goes in through page.evaluate, which
# the page's Content-Security-Policy does not govern: a <script> tag with the text inline would
# be refused (script-src 'self') and show up as a CSP violation that test_mfa_journey watches for.
AXE_SCRIPT = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_FAILING_IMPACTS = {"serious", "critical"}


@functools.cache
def _axe_source() -> str:
    return AXE_SCRIPT.read_text(encoding="utf-8")


_AXE_RUN_JS = r"""
async (tags) => {
  const results = await axe.run(document, {
    runOnly: { type: "tag", values: tags },
    resultTypes: ["violations"],
  });
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    targets: v.nodes.map((n) => n.target.join(" ")),
  }));
}
"""


def axe_violations(page) -> list[dict]:
    """axe-core's WCAG 2 A/AA violations on the page as rendered (every impact)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    return page.evaluate(_AXE_RUN_JS, AXE_TAGS)


def assert_accessible(page, *, contrast: bool = True) -> None:
    """Structural accessibility checks on the page as rendered, then axe-core's WCAG 2 A/AA
    rules; fails with every structural problem and every serious or critical axe violation."""
    problems = page.evaluate(_A11Y_JS, contrast)
    for violation in axe_violations(page):
        if violation["impact"] not in AXE_FAILING_IMPACTS:
            continue
        targets = ", ".join(violation["targets"][:3])
        more = len(violation["targets"]) - 3
        problems.append(
            f"axe {violation['id']} ({violation['impact']}): {violation['help']} - {targets}"
            + (f" and {more} more" if more > 0 else "")
        )
    assert not problems, f"accessibility problems on {page.url}:\n- " + "\n- ".join(problems)
