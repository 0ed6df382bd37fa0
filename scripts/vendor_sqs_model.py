"""Refresh pytest_sqsmock/wire/sqs-2012-11-05.json from the installed botocore.

The simulator decodes and encodes with this copy of botocore's SQS service
model (documentation stripped), so it understands every member current SDKs
send even when an old botocore is installed. Run it after botocore gains
SQS members: ``python scripts/vendor_sqs_model.py``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from botocore.loaders import create_loader

TARGET = Path(__file__).resolve().parent.parent / "pytest_sqsmock" / "wire" / "sqs-2012-11-05.json"
# Key order is kept: XML elements follow the order of members in the model.
DROPPED = {"documentation", "documentationUrl", "examples"}


def strip(value: Any) -> Any:
    """The model without prose."""
    if isinstance(value, dict):
        return {key: strip(item) for key, item in value.items() if key not in DROPPED}
    if isinstance(value, list):
        return [strip(item) for item in value]
    return value


def main() -> None:
    """Write the stripped model."""
    model = create_loader().load_service_model("sqs", "service-2")
    if model["metadata"].get("protocol") != "json":
        raise SystemExit("install a botocore that speaks JSON to SQS (>= 1.34.90) first")
    TARGET.write_text(json.dumps(strip(model), indent=1) + "\n")
    print(f"wrote {TARGET} ({TARGET.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
