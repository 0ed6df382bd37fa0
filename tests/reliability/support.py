"""What the reliability tests share."""

from __future__ import annotations

import botocore.session

# botocore before 1.34.101 only knows the older name for the same thing (ReceiveMessage in the SQS API Reference:
# AttributeNames is deprecated in favour of MessageSystemAttributeNames).
SYSTEM_NAMES = (
    "MessageSystemAttributeNames"
    if "MessageSystemAttributeNames"
    in getattr(
        botocore.session.get_session().get_service_model("sqs").operation_model("ReceiveMessage").input_shape,
        "members",
        {},
    )
    else "AttributeNames"
)
