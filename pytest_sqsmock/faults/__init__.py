"""Injected faults: make the simulated SQS misbehave the way the real one can, deterministically.

``injection`` is the public face (``sqs_mock.faults``); ``plan`` holds the faults and
answers the service's fault hooks (``service/fault_hooks.py``).
"""

from __future__ import annotations

from pytest_sqsmock.faults.injection import Fault, Faults, QueueRef

__all__ = ["Fault", "Faults", "QueueRef"]
