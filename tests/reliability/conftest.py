"""Hypothesis profiles of the reliability suite, selected by an environment variable.

``SQSMOCK_HYPOTHESIS_PROFILE`` names the profile the state machines of
``test_stateful.py`` run under:

- ``sqsmock-quick``: 30 examples of up to 30 steps per machine (about 1,800
  steps, seconds). The default, and what CI runs.
- ``sqsmock-long``: 800 examples of up to 100 steps per machine, at least
  100,000 steps in total (``test_stateful.py`` fails otherwise), several
  minutes. The default when ``SQSMOCK_LONG=1`` (``tox -e reliability``).

The long run of the whole reliability suite::

    SQSMOCK_LONG=1 .venv/bin/pytest -p no:cacheprovider tests/reliability -s

and of the state machines alone::

    SQSMOCK_HYPOTHESIS_PROFILE=sqsmock-long .venv/bin/pytest -p no:cacheprovider tests/reliability/test_stateful.py -s

The profiles are registered here, not loaded (the other property tests of
the suite keep their own settings); the selected one is also registered as
``sqsmock-stateful``, the profile ``test_stateful.py`` asks for.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

QUICK_PROFILE = "sqsmock-quick"
LONG_PROFILE = "sqsmock-long"
STATEFUL_PROFILE = "sqsmock-stateful"
PROFILE_VARIABLE = "SQSMOCK_HYPOTHESIS_PROFILE"

settings.register_profile(
    QUICK_PROFILE,
    max_examples=30,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    print_blob=True,
)
settings.register_profile(LONG_PROFILE, settings.get_profile(QUICK_PROFILE), max_examples=800, stateful_step_count=100)


def selected_profile() -> str:
    """The profile ``SQSMOCK_HYPOTHESIS_PROFILE`` names; else long under ``SQSMOCK_LONG=1``, quick otherwise."""
    named = os.environ.get(PROFILE_VARIABLE)
    if named:
        return named
    return LONG_PROFILE if os.environ.get("SQSMOCK_LONG") == "1" else QUICK_PROFILE


settings.register_profile(STATEFUL_PROFILE, settings.get_profile(selected_profile()))
