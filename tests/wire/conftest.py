from __future__ import annotations

import pytest

from pytest_sqsmock.wire import shapes

# Shape kinds and layouts the SQS model does not use (booleans and nested
# structures in inputs, doubles, operations without input), to exercise the
# generic paths of both protocols.
SYNTHETIC_MODEL = {
    "metadata": {"targetPrefix": "AmazonSQS", "xmlNamespace": "urn:test"},
    "operations": {
        "Kinds": {"input": {"shape": "KindsInput"}, "output": {"shape": "KindsInput"}},
        "NoInput": {},
    },
    "shapes": {
        "KindsInput": {
            "type": "structure",
            "members": {
                "Flag": {"shape": "Bool"},
                "Nested": {"shape": "Inner"},
                "Ratio": {"shape": "Double"},
            },
        },
        "Inner": {"type": "structure", "members": {"Text": {"shape": "Str"}}},
        "Bool": {"type": "boolean"},
        "Double": {"type": "double"},
        "Str": {"type": "string"},
    },
}


@pytest.fixture
def synthetic_model(monkeypatch: pytest.MonkeyPatch) -> shapes.ServiceShapes:
    model = shapes.compile_model(SYNTHETIC_MODEL)
    monkeypatch.setattr(shapes, "_cache", [model])
    return model
