"""Screenshots of the whole article, page by page, in headless Chromium: to look at it as a reader would.

`python tools/article_screenshots.py [ARTICLE] [--out FOLDER] [--width 1280] [--height 1800]` writes
FOLDER/page-01.png, page-02.png, ... covering the article from top to bottom at that window size (default:
results/article/article.html into results/article/screenshots/), and prints the page height and the self-check
the article records on its body (figures decoded, script errors). Chromium's own --screenshot shows the top of
a page only, so each shot is of a copy of the article shifted up by a multiple of the window height. Needs
Debian's `chromium` (`apt-get install chromium`) or another Chromium on the PATH as `chromium`.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--allow-file-access-from-files"]
# No request leaves the machine: every host name fails to resolve.
OFFLINE = ["--host-resolver-rules=MAP * ~NOTFOUND"]
MEASURE = (
    "<script>window.addEventListener('load', function () {"
    "document.body.setAttribute('data-page-height', String(document.documentElement.scrollHeight)); });</script>"
)


def browser() -> str | None:
    """The Chromium found on the PATH, or None."""
    return next((path for path in map(shutil.which, BROWSERS) if path), None)


def dump_dom(page: Path, width: int = 1280, height: int = 1800) -> tuple[str, str]:
    """(the DOM after the page's scripts ran, Chromium's log on stderr) of ``page``, offline."""
    result = subprocess.run(
        [browser(), *FLAGS, *OFFLINE, "--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000"]
        + [f"--window-size={width},{height}", "--dump-dom", page.resolve().as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    )
    return result.stdout, result.stderr


def screenshot(page: Path, path: Path, width: int, height: int) -> None:
    subprocess.run(
        [browser(), *FLAGS, *OFFLINE, "--virtual-time-budget=5000", f"--window-size={width},{height}"]
        + [f"--screenshot={path}", page.resolve().as_uri()],
        capture_output=True,
        timeout=120,
        check=True,
    )


def page_height(article: Path, width: int) -> int:
    """The article's full height in CSS pixels at ``width``."""
    with tempfile.TemporaryDirectory() as folder:
        measured = Path(folder) / "measured.html"
        measured.write_text(article.read_text().replace("</body>", MEASURE + "</body>"))
        dom, _ = dump_dom(measured, width)
    found = re.search(r'data-page-height="(\d+)"', dom)
    if not found:
        raise RuntimeError("the browser did not report the page's height")
    return int(found[1])


def shots(article: Path, folder: Path, width: int, height: int) -> list[Path]:
    """One screenshot per window height of the article, top to bottom."""
    total = page_height(article, width)
    text = article.read_text()
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory() as scratch:
        for index, top in enumerate(range(0, max(total - 40, 1), height)):  # no shot of the last margin alone
            shifted = Path(scratch) / f"page-{index + 1:02d}.html"
            style = f"<style>body {{ position: relative; top: -{top}px; }}</style>"
            shifted.write_text(text.replace("</head>", style + "</head>", 1))
            path = folder / f"page-{index + 1:02d}.png"
            screenshot(shifted, path, width, height)
            written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("article", nargs="?", default="results/article/article.html")
    parser.add_argument("--out", default="results/article/screenshots")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=1800)
    arguments = parser.parse_args()
    if browser() is None:
        raise SystemExit("no Chromium on the PATH: apt-get install chromium")
    article = Path(arguments.article)
    dom, _ = dump_dom(article, arguments.width, arguments.height)
    check = dict(re.findall(r'data-(images|images-decoded|script-errors|checked)="([^"]*)"', dom))
    print(f"self-check: {check}")
    for path in shots(article, Path(arguments.out), arguments.width, arguments.height):
        print(path)


if __name__ == "__main__":
    try:
        main()
    except BrokenPipeError:  # the output piped into `head`
        pass
