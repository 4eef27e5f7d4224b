"""The lecture's data sets, loaded once for the whole suite."""

import pytest

from gdregress.datasets import load_power_lines, load_tv_advertising


@pytest.fixture(scope="session")
def power_lines():
    """The lecture's three power-line points, as (X, y)."""
    return load_power_lines(return_X_y=True)


@pytest.fixture(scope="session")
def tv():
    """Sales on TV budgets, 200 markets, as (X, y)."""
    return load_tv_advertising(return_X_y=True)


@pytest.fixture(scope="session")
def media():
    """Sales on the TV, radio and newspaper budgets, as (X, y)."""
    return load_tv_advertising(all_media=True, return_X_y=True)
