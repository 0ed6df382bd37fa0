"""What the clock tests share: where their mocks' virtual time starts."""

from __future__ import annotations

from datetime import datetime, timezone

START = datetime(2030, 1, 1, tzinfo=timezone.utc)
