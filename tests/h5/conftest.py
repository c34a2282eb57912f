"""Fixtures for the H5 page's browser tests: Chromium with a fake camera fed from a Y4M file.

Chromium plays ``--use-file-for-fake-video-capture`` from its first frame when the page opens the
camera (and loops it), at the file's frame rate; ``--use-fake-ui-for-media-stream`` answers the
permission prompt. The live server and screenshots are the console's fixtures.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.console.conftest import CHROMIUM, CHROMIUM_ARGS, live_server, shot  # noqa: F401 (fixtures)


@pytest.fixture
def phone() -> Iterator[Callable[[Path | None], Any]]:
    """``phone(y4m)``: a new page in a headless Chromium whose camera plays ``y4m`` (None:
    Chromium's own test pattern), at a phone's size, in Chinese."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium")
    with playwright_api.sync_playwright() as playwright:
        browsers = []

        def open_page(y4m: Path | None) -> Any:
            camera = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]
            if y4m is not None:
                camera.append(f"--use-file-for-fake-video-capture={y4m}")
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *camera], headless=True
            )
            browsers.append(browser)
            context = browser.new_context(
                viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True, has_touch=True
            )
            context.set_default_timeout(20000)
            return context.new_page()

        yield open_page
        for browser in browsers:
            browser.close()
