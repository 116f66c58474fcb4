"""How much a delegate's phone downloads to open the programme, cold.

Serves the demo conference with `majlis serve` (Granian, WhiteNoise's
compressed static files) on a fresh SQLite database in a temporary folder,
opens the programme in Debian's Chromium with an empty cache, and adds up the
bytes that crossed the network for every request (bodies as transferred,
compressed where the server compressed them, plus headers). Fails if a request
leaves the server, or if the total reaches the budget.

    .venv/bin/python bench/page_weight.py [--budget-kb 60]
"""

import argparse
import sys
from urllib.parse import urlsplit

from playwright.sync_api import Browser, Response, sync_playwright

from majlis.testing.demo_server import demo_server

PAGES = {
    "programme (en)": "/en/e/child-labour-2026/",
    "programme (ar)": "/ar/e/child-labour-2026/",
    "session page (ar)": "/ar/e/child-labour-2026/s/targets-2030/",
}


def weigh(browser: Browser, url: str) -> tuple[int, int, list[str]]:
    """Bytes transferred, requests made, and requests to other hosts, loading
    ``url`` with an empty cache at phone size."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    responses: list[Response] = []

    def collect(response: Response) -> None:
        responses.append(response)

    page.on("response", collect)
    page.goto(url, wait_until="networkidle")
    total = 0
    foreign = []
    for response in responses:
        sizes = response.request.sizes()
        total += sizes["responseBodySize"] + sizes["responseHeadersSize"]
        if urlsplit(response.url).netloc != urlsplit(url).netloc:
            foreign.append(response.url)
    context.close()
    return total, len(responses), foreign


def measure(base: str) -> dict[str, tuple[int, int, list[str]]]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-background-networking"],
        )
        results = {name: weigh(browser, base + path) for name, path in PAGES.items()}
        browser.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--budget-kb", type=float, default=60)
    args = parser.parse_args()
    with demo_server() as base:
        results = measure(base)
    failed = False
    for name, (total, requests, foreign) in results.items():
        print(f"{name}: {total / 1024:.1f} KB in {requests} requests")
        if foreign:
            print(f"  requests to other sites: {foreign}")
            failed = True
        if total >= args.budget_kb * 1024:
            print(f"  over the budget of {args.budget_kb} KB")
            failed = True
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
