"""Fuzz targets: every importer and API body fed hostile input (issue #12).

``TRIED`` counts the inputs each target ran, for ``bench/fuzz_importers.py``.
"""

from __future__ import annotations

from collections import Counter

TRIED: Counter[str] = Counter()
