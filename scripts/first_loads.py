"""Many first visits at once: a fresh server, `--visitors` browser contexts opening a page at the same moment.

    .venv/bin/python -m scripts.first_loads [--visitors 10] [--page predict]

Streamlit runs each session's script in a thread of its own, so the first visits of a fresh server import the
pages' shared modules (pages.inputs, pages.canvas, ...) in several threads at once. Python makes a second thread
wait for a module the first is importing, unless the modules import each other in a cycle: then one thread may
get a half-initialised module ("cannot import name ... from partially initialised module"). This check opens
the page in every context at once and prints, per visitor, whether the page came up without an exception.
It is a check, not a timing: it exits 1 if any visitor saw an exception or no page.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from playwright.async_api import async_playwright

from scripts import stroke_support
from tests.e2e.server_support import CHROMIUM, CHROMIUM_ARGS

TIMEOUT_MS = 120_000
TITLES = {"predict": "Predict", "inspect": "Inside the model"}


async def visit(browser, url: str, page_name: str, start: asyncio.Event) -> str:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    await start.wait()
    try:
        await page.goto(f"{url}/{page_name}", timeout=TIMEOUT_MS)
        main = page.get_by_test_id("stMain")
        await main.get_by_role("heading", name=TITLES[page_name], exact=True).wait_for(timeout=TIMEOUT_MS)
        await main.get_by_test_id("stRadio").first.wait_for(timeout=TIMEOUT_MS)  # The inputs' choice: pages.inputs ran.
        exceptions = page.get_by_test_id("stException")
        if await exceptions.count():
            return "exception: " + (await exceptions.first.inner_text())[:200].replace("\n", " ")
        return "ok"
    except Exception as error:
        return f"{type(error).__name__}: {error}"[:200].replace("\n", " ")
    finally:
        await context.close()


async def run(url: str, visitors: int, page_name: str) -> list[str]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        start = asyncio.Event()
        tasks = [asyncio.create_task(visit(browser, url, page_name, start)) for _ in range(visitors)]
        await asyncio.sleep(1)  # Every context is made before any visit starts.
        start.set()
        results = await asyncio.gather(*tasks)
        await browser.close()
        return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visitors", type=int, default=10, help="browser contexts that open the page at once")
    parser.add_argument("--page", choices=sorted(TITLES), default="predict", help="the page they open")
    args = parser.parse_args()
    target = stroke_support.Target(None, "first-loads-server.log")
    try:
        results = asyncio.run(run(target.url, args.visitors, args.page))
    finally:
        target.close()
    for number, result in enumerate(results, start=1):
        print(f"visitor {number}: {result}")
    failed = sum(result != "ok" for result in results)
    print(f"{args.visitors - failed} of {args.visitors} first visits to /{args.page} came up without an exception")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
