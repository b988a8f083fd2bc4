"""Screenshots of the fund administrator's workspace for the README (docs/img/), taken with Debian's chromium.

Usage: start a server on a seeded ledger (scripts/demo.sh does), then
    .venv/bin/python scripts/workspace_screenshots.py http://127.0.0.1:8000 ce_…(a fund_admin key) [docs/img]
It saves the sign-in page, the action list and the page of the first fund on the action list (the top 1,700 px of
each), and the insurance and stress panels of the first fund on the list with a cover in force (exhaustion with and
without the cover side by side; none saved when no listed fund is insured). The pages name their fonts; without a
CJK font (``fc-list :lang=zh``) Chinese shows as boxes: scripts/setup.sh installs Debian's fonts-wqy-microhei when
it can.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

TOP = {"x": 0, "y": 0, "width": 1280, "height": 1700}  # the top of a long page: what a README can show


def main(base: str, key: str, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{base}/")
        page.screenshot(path=str(folder / "workspace-sign-in.png"))
        page.fill("#api_key", key)
        page.click("#sign-in")
        page.screenshot(path=str(folder / "workspace-actions.png"), full_page=True, clip=TOP)
        links = page.eval_on_selector_all("#actions tbody td:nth-child(2) a", "links => links.map(a => a.href)")
        page.click("#actions tbody tr:first-child td:nth-child(2) a")
        page.screenshot(path=str(folder / "workspace-fund.png"), full_page=True, clip=TOP)
        insured = _first_insured(page, list(dict.fromkeys(links)))
        if insured is not None:
            page.screenshot(path=str(folder / "workspace-fund-insured.png"), full_page=True, clip=_panels(page))
            print(f"insured fund: {insured}")
        browser.close()
    print(f"screenshots in {folder}")


def _first_insured(page, links: list[str]) -> str | None:
    """Open the listed funds' pages in turn; the first whose stress panel has the with/without-cover table."""
    for link in links:
        page.goto(link)
        if page.locator("#stress-cover").count():
            return link
    return None


def _panels(page) -> dict[str, float]:
    """The page's area from the insurance panel's top to the stress panel's bottom, the page's full width."""
    first, last = page.locator("#insurance").bounding_box(), page.locator("#stress").bounding_box()
    top = max(first["y"] - 12, 0)
    return {"x": 0, "y": top, "width": TOP["width"], "height": last["y"] + last["height"] + 12 - top}


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/"), sys.argv[2], Path(sys.argv[3] if len(sys.argv) > 3 else "docs/img"))
