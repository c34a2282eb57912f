"""Progress of a long command on stderr (stdout keeps its report): a line per step at most once a
second, and always the last, so a log shows how far a run got and a terminal shows it moving."""

from __future__ import annotations

import time

import click


class Progress:
    """Call with (name, done, total) after each batch."""

    def __init__(self, interval: float = 1.0) -> None:
        self.interval = interval
        self._last: dict[str, float] = {}

    def __call__(self, name: str, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self._last.get(name, 0.0) < self.interval:
            return
        self._last[name] = now
        share = f" ({100 * done // total}%)" if total else ""
        click.echo(f"{name}: {done}/{total}{share}", err=True)
