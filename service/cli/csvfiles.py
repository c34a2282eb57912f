"""The CSV side of the import commands (legacy accounts, organisations): the header is checked before
any row is read, so a file with a misspelt or unknown column is refused whole instead of importing
rows with a field silently empty."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from typing import IO

import click


def read_rows(csv_file: IO[str], columns: Sequence[str], key: str) -> list[dict[str, str]]:
    """Every row of ``csv_file``; a usage error when ``key`` is missing or a column is unknown."""
    reader = csv.DictReader(csv_file)
    unknown = sorted(set(reader.fieldnames or ()) - set(columns))
    if not reader.fieldnames or key not in reader.fieldnames or unknown:
        raise click.UsageError(
            f"CSV 列名须为 {','.join(columns)} 中的列" + (f", 未知列: {unknown}" if unknown else "")
        )
    return list(reader)
