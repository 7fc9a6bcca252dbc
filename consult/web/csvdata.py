"""Open data as CSV: UTF-8 with a byte-order mark (spreadsheets then read accents right), formulas defused."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from flask import Response


def _cell(value: Any) -> Any:
    # A cell starting with = + - @ would run as a formula in a spreadsheet: quote it as text.
    return "'" + value if isinstance(value, str) and value[:1] in "=+-@" else value


def csv_response(filename: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> Response:
    """A CSV download with a header row; None is written as an empty cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return Response("\ufeff" + buffer.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename={filename}"})
