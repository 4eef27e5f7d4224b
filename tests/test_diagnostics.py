"""Regression diagnostics: likelihood, information criteria, VIF, condition number, the
residuals' tests and quantiles, HAC and cluster covariances, t and F tests, influence.

References: statsmodels on real data sets (its own ``longley``, ``stackloss``, ``engel``,
``macrodata``, ``grunfeld``, ``ccard`` with WLS weights; the TV data) — ``llf``, ``aic``,
``bic``, ``durbin_watson``, ``omni_normtest``, ``jarque_bera``, ``variance_inflation_factor``,
``condition_number`` on the standardized design, ``cov_type`` HAC and cluster, ``t_test``,
``f_test``, ``OLSInfluence`` of the whitened rows; numpy's quantile (R's type 7); the exact
least-squares line of the float64 data in mpmath at 60 digits (``_exact_diagnostics``) on
designs where statsmodels loses digits; and the in-memory values for partial_fit chunks
and Dask partitions.
"""

from __future__ import annotations

import warnings

import mpmath
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from _exact import correct_digits
from _exact_diagnostics import exact_diagnostics
from sklearn.exceptions import ConvergenceWarning
from statsmodels.stats.outliers_influence import OLSInfluence, variance_inflation_factor
from statsmodels.stats.stattools import durbin_watson, jarque_bera, omni_normtest

from gdregress import AnalyticLeastSquares, FTestResult, GradientDescentRegressor
from gdregress.datasets import load_tv_advertising

INFLUENCE = [
    "hat",
    "resid_studentized_internal",
    "resid_studentized_external",
    "cooks_distance",
    "dffits",
]
TESTS = [
    "durbin_watson",
    "omnibus",
    "omnibus_pvalue",
    "jarque_bera",
    "jarque_bera_pvalue",
    "skew",
    "kurtosis",
]
SCALARS = ["llf", "aic", "bic", "condition_number", *TESTS]


def _dataset(name: str):
    """(X as a DataFrame, y as a Series, weights or None, cluster labels) of a data set."""
    datasets = sm.datasets
    if name == "stackloss":
        data = datasets.stackloss.load_pandas()
        X, y = data.exog, data.endog
    elif name == "engel":
        frame = datasets.engel.load_pandas().data
        X, y = frame[["income"]], frame["foodexp"]
    elif name == "macrodata":  # quarterly: the time series HAC is made for
        frame = datasets.macrodata.load_pandas().data
        X, y = frame[["realgdp", "realcons", "realinv"]], frame["infl"]
    elif name == "grunfeld":  # ten firms over twenty years: clusters by firm
        frame = datasets.grunfeld.load_pandas().data
        return frame[["value", "capital"]], frame["invest"], None, frame["firm"].to_numpy()
    elif name == "ccard":  # Greene's WLS example: weights 1/income²
        frame = datasets.ccard.load_pandas().data
        X, y = frame[["AGE", "INCOME", "INCOMESQ", "OWNRENT"]], frame["AVGEXP"]
        return X, y, 1.0 / frame["INCOMESQ"].to_numpy(), np.arange(len(y)) % 9
    else:  # the TV data with random weights
        X, y = load_tv_advertising(return_X_y=True, as_frame=True, all_media=True)
        weights = np.random.default_rng(0).uniform(0.2, 3.0, len(y))
        return X, y, weights, np.arange(len(y)) % 13
    return X, y, None, np.arange(len(y)) % 7


DATASETS = ["stackloss", "engel", "macrodata", "grunfeld", "ccard", "tv-weighted"]


def _statsmodels(X, y, w):
    A = sm.add_constant(np.asarray(X, dtype=float), has_constant="add")
    y = np.asarray(y, dtype=float)
    return (sm.WLS(y, A, weights=w) if w is not None else sm.OLS(y, A)), A


def _relative(a, b) -> float:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300)))


def _vif_reference(A, w):
    """statsmodels' VIF (with weights: 1/(1 − R²) of WLS of a column on the others)."""
    if w is None:
        return [variance_inflation_factor(A, j) for j in range(1, A.shape[1])]
    return [
        1.0 / (1.0 - sm.WLS(A[:, j], np.delete(A, j, axis=1), weights=w).fit().rsquared)
        for j in range(1, A.shape[1])
    ]


def _standardized_condition_number(X, w):
    """statsmodels' condition number of [Z, 1], Z the columns centred on their (weighted)
    mean and divided by their (weighted) spread."""
    X = np.asarray(X, dtype=float)
    w = np.ones(len(X)) if w is None else w
    mean = w @ X / w.sum()
    Z = (X - mean) / np.sqrt(w @ (X - mean) ** 2 / w.sum())
    return sm.WLS(np.zeros(len(X)), np.column_stack([Z, np.ones(len(X))]), weights=w).fit()


# --- statsmodels on real data ----------------------------------------------------------------


@pytest.mark.parametrize("name", DATASETS)
def test_diagnostics_equal_statsmodels_on_real_data(name):
    X, y, w, _ = _dataset(name)
    model = AnalyticLeastSquares().fit(X, y, sample_weight=w)
    reference, A = _statsmodels(X, y, w)
    result = reference.fit()
    summary = model.summary(X=X, y=y, sample_weight=w)
    residuals = result.wresid
    jb, jb_p, skew, kurtosis = jarque_bera(residuals)
    omnibus, omnibus_p = omni_normtest(residuals)
    expected = {
        "llf": result.llf,
        "aic": result.aic,
        "bic": result.bic,
        "durbin_watson": durbin_watson(residuals),
        "omnibus": omnibus,
        "omnibus_pvalue": omnibus_p,
        "jarque_bera": jb,
        "jarque_bera_pvalue": jb_p,
        "skew": skew,
        "kurtosis": kurtosis,
        "condition_number": _standardized_condition_number(X, w).condition_number,
    }
    # The 1e-9: 5e-12 is the worst measured (engel's p of Jarque-Bera, which carries
    # JB/2 times the statistic's error); statsmodels' residuals keep 13 to 16 digits here.
    for field, value in expected.items():
        assert _relative(getattr(summary, field), value) < 1e-9, field
    quantiles = np.quantile(residuals, [0, 0.25, 0.5, 0.75, 1])  # numpy's linear: R's type 7
    assert list(summary.residual_quantiles.index) == ["Min", "1Q", "Median", "3Q", "Max"]
    assert _relative(summary.residual_quantiles, quantiles) < 1e-9
    # VIF: 1e-8 as the issue asks (2e-14 measured; statsmodels' own, from an OLS R², keeps
    # 13.6 digits on macrodata).
    assert list(summary.vif.index) == list(X.columns)
    assert _relative(summary.vif, _vif_reference(A, w)) < 1e-8


@pytest.mark.parametrize("name", DATASETS)
def test_hac_and_cluster_covariances_equal_statsmodels(name):
    X, y, w, groups = _dataset(name)
    model = AnalyticLeastSquares().fit(X, y, sample_weight=w)
    reference, _ = _statsmodels(X, y, w)
    cases = [
        ("HAC", {"maxlags": 0}, {"maxlags": 0}),
        ("HAC", {"maxlags": 3}, {"maxlags": 3}),
        # statsmodels' rule for the lags, floor(4·(n/100)^(2/9)), where it needs them given
        ("HAC", {}, {"maxlags": int(np.floor(4 * (len(y) / 100) ** (2 / 9)))}),
        ("cluster", {"groups": groups}, {"groups": groups}),
    ]
    for cov_type, ours, theirs in cases:
        summary = model.summary(X=X, y=y, sample_weight=w, cov_type=cov_type, **ours)
        for use_t in (True, False):
            result = reference.fit(cov_type=cov_type, cov_kwds=theirs, use_t=use_t)
            table = model.summary(
                X=X, y=y, sample_weight=w, cov_type=cov_type, use_t=use_t, **ours
            ).coef_table
            # statsmodels keeps 10.5 digits of macrodata's HAC (ours 13 against mpmath):
            # 1.2e-11 apart at worst (3e-11 for F's p), so 1e-9 leaves more than a digit.
            assert _relative(summary.cov.to_numpy(), result.cov_params()) < 1e-9, cov_type
            assert _relative(table["std_err"], result.bse) < 1e-9
            assert _relative(table["p_value"], result.pvalues) < 1e-9
            bounds = result.conf_int()
            assert _relative(table[["ci_lower", "ci_upper"]].to_numpy(), bounds) < 1e-9
        result = reference.fit(cov_type=cov_type, cov_kwds=theirs, use_t=True)
        assert summary.f_statistic == pytest.approx(result.fvalue, rel=1e-9)
        assert summary.f_pvalue == pytest.approx(result.f_pvalue, rel=1e-9, abs=0)
        df = len(np.unique(groups)) - 1 if cov_type == "cluster" else len(y) - X.shape[1] - 1
        assert summary.df_inference == df


@pytest.mark.parametrize("name", DATASETS)
def test_influence_equals_statsmodels_of_the_whitened_rows(name):
    X, y, w, _ = _dataset(name)
    model = AnalyticLeastSquares().fit(X, y, sample_weight=w)
    frame = model.influence(X, y, sample_weight=w)
    root = np.sqrt(np.ones(len(y)) if w is None else w)
    A = sm.add_constant(np.asarray(X, dtype=float), has_constant="add")
    # R's (and statsmodels' OLS's) influence of the whitened rows √w·[1, x], √w·y.
    influence = OLSInfluence(sm.OLS(np.asarray(y) * root, A * root[:, None]).fit())
    expected = {
        "hat": influence.hat_matrix_diag,
        "resid_studentized_internal": influence.resid_studentized_internal,
        "resid_studentized_external": influence.resid_studentized_external,
        "cooks_distance": influence.cooks_distance[0],
        "dffits": influence.dffits[0],
    }
    assert list(frame.columns) == INFLUENCE
    pd.testing.assert_index_equal(frame.index, X.index)
    # 1e-8, the issue's: statsmodels keeps 9.6 digits of macrodata's studentized residuals
    # and Cook's distances (ours 14 against mpmath), 2.3e-10 apart at worst.
    for column, values in expected.items():
        assert _relative(frame[column], values) < 1e-8, column


def test_a_line_through_zero_has_statsmodels_diagnostics_without_a_constant():
    X, y, _, groups = _dataset("stackloss")
    model = AnalyticLeastSquares(fit_intercept=False).fit(X, y)
    summary = model.summary(X=X, y=y, cov_type="cluster", groups=groups)
    reference = sm.OLS(y.to_numpy(), X.to_numpy())
    result = reference.fit(cov_type="cluster", cov_kwds={"groups": groups}, use_t=True)
    jb, _, skew, _ = jarque_bera(result.resid)
    for ours, theirs in [
        ((summary.llf, summary.aic, summary.bic), (result.llf, result.aic, result.bic)),
        ((summary.durbin_watson, summary.jarque_bera, summary.skew),
         (durbin_watson(result.resid), jb, skew)),
        (summary.cov.to_numpy(), result.cov_params()),
        # the uncentred R² of each column on the others (statsmodels' default centres)
        (summary.vif, [variance_inflation_factor(X.to_numpy(), j, standardize=False)
                       for j in range(3)]),
        # the condition number of the columns scaled to root mean square 1
        (summary.condition_number,
         sm.OLS(np.zeros(len(y)), X / np.sqrt((X**2).mean(axis=0))).fit().condition_number),
    ]:  # fmt: skip
        assert _relative(ours, theirs) < 1e-9  # 2e-13 measured at worst (the covariance)
    frame = model.influence(X, y)
    expected = OLSInfluence(sm.OLS(y.to_numpy(), X.to_numpy()).fit())
    assert _relative(frame["cooks_distance"], expected.cooks_distance[0]) < 1e-8
    table = summary.t_test("AIRFLOW = WATERTEMP")
    assert table["std_err"].iloc[0] == pytest.approx(
        float(result.t_test([[1, -1, 0]]).sd[0, 0]), rel=1e-10
    )


def test_an_essentially_perfect_fit_has_no_likelihood_and_no_residual_tests():
    X, _, _, _ = _dataset("stackloss")
    y = X @ [1.0, 2.0, 3.0] + 4.0
    with pytest.warns(UserWarning, match="essentially perfect fit"):
        summary = AnalyticLeastSquares().fit(X, y).summary(X=X, y=y)
    # NA, as its t, p and F are: these would be functions of rounding errors.
    assert all(np.isnan(getattr(summary, field)) for field in ["llf", "aic", *TESTS])
    assert summary.residual_quantiles.abs().max() < 1e-12  # R prints them: rounding
    assert "Log-Likelihood: NA" in str(summary)
    # The fuzz's case: residuals of 1e-156, whose cubes underflow (was a ZeroDivisionError).
    X = np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]])
    y = np.array([5.0, 0.0, 0.0, 0.0, 0.0])
    with pytest.warns(UserWarning, match="essentially perfect fit"):
        summary = AnalyticLeastSquares().fit(X, y).summary(X=X, y=y)
    assert np.isnan(summary.skew) and summary.residual_quantiles.abs().max() < 1e-150


def test_hypothesis_tests_equal_statsmodels():
    X, y, w, groups = _dataset("tv-weighted")
    model = AnalyticLeastSquares().fit(X, y, sample_weight=w)
    reference, _ = _statsmodels(X, y, w)
    R = np.array([[0.0, 1.0, -1.0, 0.0], [0.0, 0.0, 0.0, 1.0], [1.0, 0.0, 0.0, 0.0]])
    q = np.array([-0.1, 0.0, 3.0])
    for cov_type, kwds in [("nonrobust", {}), ("HC3", {}), ("cluster", {"groups": groups})]:
        rows = {} if cov_type == "nonrobust" else {"X": X, "y": y, "sample_weight": w}
        summary = model.summary(cov_type=cov_type, **rows, **kwds)
        result = reference.fit(cov_type=cov_type, cov_kwds=kwds or None, use_t=True)
        table = summary.t_test(R, q)
        expected = result.t_test((R, q))
        assert list(table.columns) == list(summary.coef_table.columns)
        # Measured at worst: 7e-14 (effects, t, p), 2e-13 (F's p); a p-value carries
        # t·f(t)/sf(t) times t's relative error, hence its own looser bound.
        assert _relative(table["coef"], expected.effect) < 1e-12
        assert _relative(table["std_err"], expected.sd.ravel()) < 1e-10
        assert _relative(table["t_value"], expected.tvalue.ravel()) < 1e-10
        assert _relative(table["p_value"], expected.pvalue.ravel()) < 1e-9
        bounds = expected.conf_int()
        assert _relative(table[["ci_lower", "ci_upper"]].to_numpy(), bounds) < 1e-10
        test = summary.f_test(R, q)
        expected = result.f_test((R, q))
        assert isinstance(test, FTestResult)
        assert test.statistic == pytest.approx(float(expected.fvalue), rel=1e-10)
        assert test.pvalue == pytest.approx(float(expected.pvalue), rel=1e-9, abs=0)
        assert (test.df_num, test.df_denom) == (expected.df_num, expected.df_denom)


def test_restrictions_by_name_are_the_matrix_they_mean():
    X, y = load_tv_advertising(return_X_y=True, as_frame=True, all_media=True)
    summary = AnalyticLeastSquares().fit(X, y).summary()
    by_name = summary.f_test("TV = radio, newspaper = 0")
    by_matrix = summary.f_test([[0, 1, -1, 0], [0, 0, 0, 1]])
    assert by_name.statistic == by_matrix.statistic
    assert list(by_name.r_matrix.index) == ["TV = radio", "newspaper = 0"]
    assert list(by_name.r_matrix.columns) == ["intercept", "TV", "radio", "newspaper"]
    table = summary.t_test("2*TV - radio = -0.1, intercept + 0.5 = 3.5, radio*2 + 1 = 1.4")
    R = [[0, 2, -1, 0], [1, 0, 0, 0], [0, 0, 2, 0]]
    expected = summary.t_test(R, [-0.1, 3.5 - 0.5, 1.4 - 1])  # q as the parser moves it
    np.testing.assert_array_equal(table.to_numpy(), expected.to_numpy())
    same = summary.t_test("(Intercept) = const")  # R's and statsmodels' names of it
    assert same["coef"].iloc[0] == 0.0


@pytest.mark.parametrize(
    "restriction, message",
    [
        ("TV = radio, sales = 0", "Unknown name 'sales'.*intercept, TV, radio, newspaper"),
        ("TVs = 0", "Unknown name 'TVs'"),
        ("TV * radio = 0", "is not linear"),
        ("TV + = 0", "a term is missing"),
        ("TV 2 = 0", r"joined by \+ and −"),
        ("TV = radio = 0", "more than one '='"),
        ("TV = ", "a side is empty"),
        ("TV = radio,", "equations separated by commas"),
        ("TV = radio, radio = TV", "linearly dependent"),
    ],
)
def test_a_restriction_it_cannot_read_is_named(restriction, message):
    X, y = load_tv_advertising(return_X_y=True, as_frame=True, all_media=True)
    summary = AnalyticLeastSquares().fit(X, y).summary()
    with pytest.raises(ValueError, match=message):
        summary.f_test(restriction)


def test_a_matrix_of_the_wrong_width_or_a_string_with_q_is_refused():
    X, y = load_tv_advertising(return_X_y=True, as_frame=True)
    summary = AnalyticLeastSquares().fit(X, y).summary()
    with pytest.raises(ValueError, match=r"one finite column per parameter \(2: intercept, TV\)"):
        summary.t_test([[0, 1, 0]])
    with pytest.raises(ValueError, match="carries its own constants"):
        summary.t_test("TV = 0", q=1.0)


# --- exact values where statsmodels loses digits ----------------------------------------------


def _quintic(seed: int, n: int = 40):
    """A quintic on [2, 3]: the centred, scaled design has a condition number near 1e6, the
    raw one near 1e13 (statsmodels keeps 3 to 11 digits of its diagnostics)."""
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(2, 3, n))
    X = np.column_stack([x**k for k in range(1, 6)])
    y = np.cos(3 * x) + rng.normal(size=n) * 0.1 * (1 + x)
    return X, y, rng.uniform(0.2, 3.0, n)


def _hard_case(name: str):
    if name.startswith("quintic"):
        X, y, w = _quintic(5)
        return X, y, (w if name == "quintic-weighted" else None)
    if name == "longley":  # κ of the raw design 5e9
        data = sm.datasets.longley.load_pandas()
        return data.exog.to_numpy(), data.endog.to_numpy(), None
    # Unix times: x = 1.7e9 + 0…49, where statsmodels keeps no digit of most diagnostics
    rng = np.random.default_rng(3)
    x = 1.7e9 + np.arange(50.0)
    return (
        np.column_stack([x, rng.normal(size=50)]),
        3 + 0.04 * np.arange(50.0) + rng.normal(size=50),
        None,
    )


def _digits(ours, exact) -> float:
    ours = np.atleast_1d(np.asarray(ours, dtype=float)).ravel()
    if isinstance(exact, mpmath.matrix):
        exact = [exact[i, j] for i in range(exact.rows) for j in range(exact.cols)]
    exact = exact if isinstance(exact, list) else [exact]
    return min(correct_digits(a, b) for a, b in zip(ours, exact, strict=True))


@pytest.mark.parametrize("name", ["quintic", "quintic-weighted", "longley", "offset"])
def test_diagnostics_are_as_accurate_as_the_covariance(name):
    X, y, w = _hard_case(name)
    groups = np.arange(len(y)) % 7
    exact = exact_diagnostics(X, y, w, maxlags=2, groups=groups)
    model = AnalyticLeastSquares().fit(X, y, sample_weight=w)
    summary = model.summary(X=X, y=y, sample_weight=w)
    hac = model.summary(X=X, y=y, sample_weight=w, cov_type="HAC", maxlags=2)
    cluster = model.summary(X=X, y=y, sample_weight=w, cov_type="cluster", groups=groups)
    frame = model.influence(X, y, sample_weight=w)
    ours = {field: getattr(summary, field) for field in SCALARS if field in exact}
    ours.update(residual_quantiles=summary.residual_quantiles, vif=summary.vif)
    ours.update({column: frame[column] for column in INFLUENCE})
    ours.update(cov=summary.cov.to_numpy(), HAC=hac.cov.to_numpy(), cluster=cluster.cov.to_numpy())
    digits = {field: _digits(value, exact[field]) for field, value in ours.items()}
    print(f"\n{name}: " + ", ".join(f"{k} {v:.1f}" for k, v in digits.items()))
    # Measured: 13.8 to 17 digits for everything but HAC and cluster (12.4 to 15: their
    # meats sum products of neighbouring or grouped rows, and a small entry of the
    # covariance keeps fewer digits of its own). statsmodels keeps 0 to 13 here. The
    # thresholds leave more than a digit to other BLAS kernels.
    for field, value in digits.items():
        assert value >= (11.0 if field in ("HAC", "cluster") else 12.0), (field, value)


@pytest.mark.parametrize("name", ["quintic-weighted", "longley"])
def test_hypothesis_tests_are_as_accurate_as_the_covariance(name):
    X, y, w = _hard_case(name)
    exact = exact_diagnostics(X, y, w)
    summary = AnalyticLeastSquares().fit(X, y, sample_weight=w).summary(X=X, y=y, sample_weight=w)
    p = X.shape[1] + 1
    R = np.zeros((2, p))
    R[0, 1:3] = [1.0, 1.0]  # the sum of two slopes whose estimates nearly cancel
    R[1, 0], R[1, -1] = 1.0, 2.0
    table = summary.t_test(R)
    with mpmath.workdps(60):
        Rm = mpmath.matrix(R.tolist())
        theta = mpmath.matrix(exact["coef"])
        effect = Rm * theta
        middle = Rm * exact["cov"] * Rm.T
        se = [mpmath.sqrt(middle[i, i]) for i in range(2)]
        statistic = (effect.T * middle**-1 * effect)[0] / 2
    digits = [
        _digits(table["coef"], [effect[0], effect[1]]),
        _digits(table["std_err"], se),
        _digits(summary.f_test(R).statistic, statistic),
    ]
    print(f"\n{name}: effect, standard error, F: {digits}")
    # 15.2 to 16.1 digits measured (statsmodels: 10.3 to 12.3); three digits of margin.
    assert min(digits) >= 12.0, digits


# --- the same numbers, however the rows come -----------------------------------------------


def _random_rows(seed: int, n: int = 300):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3)) * [1.0, 10.0, 0.1] + [0.0, 50.0, 3.0]
    y = X @ [1.0, -0.2, 3.0] + rng.standard_t(4, size=n) * (1 + np.abs(X[:, 0]))
    return X, y, rng.uniform(0.2, 3.0, n), rng.integers(0, 12, n)


def _assert_same_diagnostics(got, expected, rtol=1e-10):
    for field in SCALARS:
        assert getattr(got, field) == pytest.approx(getattr(expected, field), rel=rtol), field
    pd.testing.assert_series_equal(got.residual_quantiles, expected.residual_quantiles, rtol=rtol)
    pd.testing.assert_series_equal(got.vif, expected.vif, rtol=rtol)
    pd.testing.assert_frame_equal(got.cov, expected.cov, rtol=rtol)


@pytest.mark.parametrize("estimator", [AnalyticLeastSquares, GradientDescentRegressor])
def test_diagnostics_after_partial_fit_equal_those_in_memory(estimator):
    X, y, w, groups = _random_rows(31)
    whole = estimator().fit(X, y, sample_weight=w)
    streamed = estimator()
    for rows in np.array_split(np.arange(len(y)), [7, 8, 40, 177]):
        streamed.partial_fit(X[rows], y[rows], sample_weight=w[rows])
    # 1e-10, the issue's: the descent's partial_fit ends 1e-10 from its fit at its stop.
    for cov_type, options in [("HAC", {"maxlags": 3}), ("cluster", {"groups": groups})]:
        expected = whole.summary(X=X, y=y, sample_weight=w, cov_type=cov_type, **options)
        got = streamed.summary(X=X, y=y, sample_weight=w, cov_type=cov_type, **options)
        _assert_same_diagnostics(got, expected)
    without_rows = streamed.summary()
    assert without_rows.llf == pytest.approx(whole.summary().llf, rel=1e-10)


@pytest.mark.parametrize("frames", [False, True], ids=["arrays", "dataframes"])
def test_diagnostics_over_dask_partitions_equal_those_in_memory(frames):
    dask = pytest.importorskip("dask")
    da = pytest.importorskip("dask.array")
    dd = pytest.importorskip("dask.dataframe")

    X, y, w, groups = _random_rows(32)
    if frames:
        frame = pd.DataFrame(X, columns=["a", "b", "c"]).assign(y=y, w=w, g=groups)
        parts = dd.from_pandas(frame, npartitions=7)
        data, labels = (parts[["a", "b", "c"]], parts["y"], parts["w"]), parts["g"]
        X = frame[["a", "b", "c"]]
    else:
        data = (da.from_array(X, chunks=(40, 3)), da.from_array(y, chunks=40))
        data, labels = (*data, da.from_array(w, chunks=40)), groups
    whole = AnalyticLeastSquares().fit(X, y, sample_weight=w)
    with dask.config.set(scheduler="synchronous"):
        on_dask = AnalyticLeastSquares().fit(*data)
        assert on_dask.summary().llf == pytest.approx(whole.summary().llf, rel=1e-10)
        for cov_type, ours, theirs in [
            ("HAC", {"maxlags": 3}, {"maxlags": 3}),
            ("cluster", {"groups": labels}, {"groups": groups}),
        ]:
            expected = whole.summary(X=X, y=y, sample_weight=w, cov_type=cov_type, **theirs)
            got = on_dask.summary(
                X=data[0], y=data[1], sample_weight=data[2], cov_type=cov_type, **ours
            )
            _assert_same_diagnostics(got, expected)
        lazy = on_dask.influence(*data)
        assert isinstance(lazy, dd.DataFrame)  # nothing computed yet
        expected = whole.influence(X, y, sample_weight=w)
        computed = lazy.compute()
        np.testing.assert_allclose(computed.to_numpy(), expected.to_numpy(), rtol=1e-10)
        if frames:
            pd.testing.assert_index_equal(computed.index, expected.index)


def test_quantiles_beyond_the_sketch_are_exact(monkeypatch):
    """Past the sketch's size the quantiles take a second pass over brackets; they equal
    those of the sketch that kept every residual, to the last bit."""
    import gdregress._quantiles as quantiles
    import gdregress._row_pass as row_pass

    X, y, w, _ = _random_rows(33, n=2000)
    model = AnalyticLeastSquares().fit(X, y, sample_weight=w)
    complete = model.summary(X=X, y=y, sample_weight=w).residual_quantiles
    monkeypatch.setattr(quantiles, "SKETCH_SIZE", 16)
    monkeypatch.setattr(row_pass, "CHUNK_NUMBERS", 7 * 37)  # chunks of 37 rows
    calls = []
    original = row_pass.read_brackets
    monkeypatch.setattr(
        "gdregress._summaries.read_brackets",
        lambda *args: calls.append(1) or original(*args),
    )
    bracketed = model.summary(X=X, y=y, sample_weight=w).residual_quantiles
    assert calls  # the second pass ran
    pd.testing.assert_series_equal(bracketed, complete, rtol=0, atol=0)


@pytest.mark.parametrize("seed", range(4))
def test_the_quantile_sketch_gives_numpys_quantiles_over_any_blocks(seed):
    from gdregress._quantiles import (
        QuantileSketch,
        bracket_counts,
        merge_bracket_counts,
        quantiles_of,
    )

    rng = np.random.default_rng(seed)
    values = np.round(rng.standard_t(3, size=5000), 1)  # many ties
    blocks = np.array_split(values, np.sort(rng.choice(5000, 40, replace=False)))
    sketch = None
    for block in blocks:
        part = QuantileSketch.of(block)
        sketch = part if sketch is None else sketch.merge(part)
        sketch = sketch.thinned(64)  # far smaller than the data: brackets needed

    def read(brackets):
        total = None
        for block in blocks:
            part = [bracket_counts(block, *brackets[0])]
            total = part if total is None else [merge_bracket_counts(total[0], part[0])]
        return total

    assert not sketch.complete
    (got,) = quantiles_of([sketch], read)
    np.testing.assert_array_equal(got, np.quantile(values, [0, 0.25, 0.5, 0.75, 1]))


# --- the descent, weights, text ----------------------------------------------------------------


def test_gradient_descent_reports_the_diagnostics_of_its_own_coefficients():
    X, y = load_tv_advertising(return_X_y=True, as_frame=True, all_media=True)
    closed = AnalyticLeastSquares().fit(X, y).summary(X=X, y=y, cov_type="HAC")
    descent = GradientDescentRegressor(tol=1e-12).fit(X, y).summary(X=X, y=y, cov_type="HAC")
    # A descent stopped at tol = 1e-12 of the gradient: its coefficients 1e-11 from the
    # closed form's, which moves these by as much.
    _assert_same_diagnostics(descent, closed, rtol=1e-9)
    early = GradientDescentRegressor(max_iter=3, tol=None).fit(X, y)
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        summary = early.summary(X=X, y=y)
    residuals = y - early.predict(X)
    assert summary.durbin_watson == pytest.approx(durbin_watson(residuals), rel=1e-12)
    jb, _, skew, _ = jarque_bera(residuals)
    assert (summary.jarque_bera, summary.skew) == pytest.approx((jb, skew), rel=1e-10)
    n = len(y)
    llf = -n / 2 * (np.log(2 * np.pi) + np.log(residuals @ residuals / n) + 1)
    assert summary.llf == pytest.approx(llf, rel=1e-12)
    with pytest.warns(ConvergenceWarning, match="influence is of its last iterate"):
        frame = early.influence(X, y)
    assert frame["hat"].to_numpy() == pytest.approx(
        AnalyticLeastSquares().fit(X, y).influence(X, y)["hat"].to_numpy(), rel=1e-12
    )


def test_the_likelihood_leaves_out_rows_of_weight_zero_as_r_does():
    X, y, w, _ = _dataset("tv-weighted")
    w = w.copy()
    w[::10] = 0.0
    summary = AnalyticLeastSquares().fit(X, y, sample_weight=w).summary()
    kept = w > 0  # R's logLik of a weighted lm: statsmodels' WLS of the rows of positive weight
    result = _statsmodels(X[kept], y[kept], w[kept])[0].fit()
    assert (summary.llf, summary.aic, summary.bic) == pytest.approx(
        (result.llf, result.aic, result.bic), rel=1e-12
    )


def test_the_text_has_r_s_residuals_and_statsmodels_block():
    X, y = load_tv_advertising(return_X_y=True, as_frame=True)
    model = AnalyticLeastSquares().fit(X, y)
    text = str(model.summary(X=X, y=y, cov_type="HAC", maxlags=4, use_t=False))
    lines = text.splitlines()
    start = lines.index("Residuals:")
    assert lines[start + 1].split() == ["Min", "1Q", "Median", "3Q", "Max"]
    # ISLR's (and R's) residuals of sales on TV, to R's printed digits.
    assert lines[start + 2].split() == ["-8.3860", "-1.9545", "-0.1913", "2.0671", "7.2124"]
    assert "Coefficients (HAC standard errors, 4 lags):" in text
    assert "z value Pr(>|z|)" in text  # the normal, as R's coeftest labels it
    block = lines[-5:]
    assert block[0].split()[:2] == ["Log-Likelihood:", "-519.05"]
    assert "Durbin-Watson:" in block[1] and "1.935" in block[1]
    assert "Jarque-Bera (JB):" in block[2] and "0.669" in block[2]
    assert "Cond. No.:" in block[3]
    # the columns of the block are aligned: each label starts where the one above does
    assert block[1].index("Omnibus") == block[2].index("Jarque") == block[3].index("Cond")
    without = str(model.summary())
    assert "Residuals:" not in without
    assert "summary(X=X, y=y) reads the residuals from the rows" in without
    html = model.summary(X=X, y=y)._repr_html_()
    assert "Durbin-Watson" in html and "Median" in html


@pytest.mark.parametrize(
    "options, message",
    [
        ({"cov_type": "cluster"}, "needs groups="),
        ({"cov_type": "HC1", "groups": [0, 1]}, "groups is for cov_type='cluster'"),
        ({"cov_type": "HC1", "maxlags": 2}, "maxlags is for cov_type='HAC'"),
        ({"cov_type": "HAC", "maxlags": -1}, "maxlags must be a whole number of rows"),
        ({"cov_type": "HAC", "maxlags": 1.5}, "maxlags must be a whole number of rows"),
        ({"cov_type": "HAC", "maxlags": 200}, "needs more than 200 rows; there are 200"),
        ({"cov_type": "cluster", "groups": np.zeros(200)}, "at least 2 groups"),
        ({"cov_type": "cluster", "groups": np.zeros(3)}, r"one label per row of X \(200\)"),
        ({"cov_type": "cluster", "groups": [np.nan, *range(199)]}, "groups has missing values"),
        ({"use_t": "yes"}, "use_t must be True or False"),
    ],
)
def test_wrong_options_of_the_covariance_are_named(options, message):
    X, y = load_tv_advertising(return_X_y=True)
    model = AnalyticLeastSquares().fit(X, y)
    with pytest.raises(ValueError, match=message):
        model.summary(X=X, y=y, **options)


def test_influence_refuses_other_data():
    X, y = load_tv_advertising(return_X_y=True)
    model = AnalyticLeastSquares().fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match="not the data the model was fitted on"):
            model.influence(X[:100], y[:100])
