"""Real headless Chromium for page tests, with axe-core for accessibility checks."""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("HUB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_available() -> bool:
    return shutil.which(CHROMIUM) is not None or os.path.exists(CHROMIUM)


def require_chromium():
    if chromium_available():
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"Chromium is required on CI but {CHROMIUM} is missing: run `make test`.")
    pytest.skip(f"Chromium not installed at {CHROMIUM}; `make test` installs it.")


# axe-core runs its WCAG 2.0, 2.1 and best-practice rules by default; the WCAG 2.2 AA rule
# (target-size, 2.5.8) is off by default, so it is turned on here.
AXE_OPTIONS = {"resultTypes": ["violations"], "rules": {"target-size": {"enabled": True}}}


def axe_violations(page) -> list[dict]:
    """Run axe-core (bundled with axe-playwright-python, so offline) on the current page."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=AXE_OPTIONS)
    return results.response["violations"]


def describe(violations: list[dict]) -> str:
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} -> "
        + "; ".join(node["target"][0] if node["target"] else "?" for node in v["nodes"][:5])
        for v in violations
    )
