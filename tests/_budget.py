"""How many examples the hypothesis tests run: a small budget in CI, 20 times more on demand.

``HYPOTHESIS_PROFILE=long`` multiplies every budget by 20, except under CI (``CI`` set), which
keeps the suite's time whatever the profile says; under CI the examples are drawn from a
fixed seed.
"""

import os

from hypothesis import HealthCheck, settings

LONG = os.environ.get("HYPOTHESIS_PROFILE") == "long" and not os.environ.get("CI")

settings.register_profile(
    "gdregress",
    deadline=None,
    database=None,
    # CI runs the same examples every time, so that a submission lands or fails on its own
    # merits; elsewhere every run draws new ones, to hunt for bugs.
    derandomize=bool(os.environ.get("CI")),
    print_blob=True,
    suppress_health_check=[
        HealthCheck.filter_too_much,
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
    ],
)
PROFILE = settings.get_profile("gdregress")


def budget(examples: int) -> settings:
    """Settings with ``examples`` examples (20 times as many with HYPOTHESIS_PROFILE=long)."""
    return settings(PROFILE, max_examples=examples * (20 if LONG else 1))
