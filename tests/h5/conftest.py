"""The H5 page's browser: Chromium with a fake camera fed from a Y4M file.

Chromium plays ``--use-file-for-fake-video-capture`` from its first frame when the page opens the
camera (and loops it), at the file's frame rate; ``--use-fake-ui-for-media-stream`` answers the
permission prompt. The live server, Playwright and screenshots are tests/conftest.py's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from service.events.hub import drop_hub
from tests.conftest import CHROMIUM, CHROMIUM_ARGS


@pytest.fixture(autouse=True)
def _hub_stopped(app) -> Iterator[None]:
    """The page's event streams start the process's event hub; stop its poller after each test, so
    that no thread still holds a database connection when the run's engine is disposed."""
    yield
    hub = app.extensions.get("xjy_event_hub")
    drop_hub(app)
    if hub is not None and hub._thread is not None:
        hub._thread.join(timeout=5)


@pytest.fixture
def phone(_playwright) -> Iterator[Callable[[Path | None], Any]]:
    """``phone(y4m)``: a new page in a headless Chromium whose camera plays ``y4m`` (None:
    Chromium's own test pattern), at a phone's size, in Chinese."""
    browsers = []

    def open_page(y4m: Path | None) -> Any:
        camera = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]
        if y4m is not None:
            camera.append(f"--use-file-for-fake-video-capture={y4m}")
        browser = _playwright.chromium.launch(
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
