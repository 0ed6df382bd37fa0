"""Put the repository root on ``sys.path``: ``benchmarks/`` is not an installed package.

``python -m pytest`` adds the working directory, but the ``pytest`` console
script (tox's ``lowest`` env) does not.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[2])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
