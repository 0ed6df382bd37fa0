"""Benchmarks: botocore's floor, pytest_sqsmock and moto side by side, in one process.

Run ``python -m benchmarks.run`` (``--quick`` for a pass of about 30 s, ``--json out.json``
to keep the numbers); ``python -m benchmarks.profile`` profiles our side. The
suite is not collected by the default test run (testpaths are tests/ and
examples/); tests/benchmarks/ only proves that it executes.
"""
