"""Where a dated target stands and whether it will be reached: pure, no database.

Given an indicator's yearly figures and a target (value, year, comparator), `assess` returns the latest figure,
the annual growth still required (the CAGR from the latest figure to the target), the trailing growth, a
forecast for the target year with 80% and 95% intervals, the probability of reaching the target, a status
(达标 / 正常 / 预警 / 滞后, or 无数据) and the sentence that explains it.

The forecast model depends on what the indicator measures (`Kind`), each an ARIMA fitted by statsmodels:

- ``amount`` (GDP, value added, investment — positive and growing by a rate): ARIMA(0,1,0) with drift on the
  logarithm, i.e. a random walk whose yearly growth rate is the mean of the past ones. The forecast h years out
  is the latest figure × exp(h × drift); its variance is h·σ² (the yearly shocks) + h²·var(drift) (the drift is
  itself estimated, from few years).
- ``share`` (a percentage of GDP): the same random walk with drift, on the logit of the share (log p/(1−p)),
  so that the forecast and its intervals stay between 0 and 100% however steep the trend: a share falling by
  points each year flattens towards 0 instead of crossing it.
- ``rate`` (a growth rate): ARIMA(0,0,0) with a constant — next years vary around the past mean.

When the target is next year's and that year is in progress, its year-to-date figures (`YearToDate`, from
`chanye.targets.yearly`) carry the part of the year they cover: with `f` the share of the year they made the
year before (or the months covered ÷ 12), the year's growth (amounts, on the logarithm) or value (rates,
shares) is `f` × the year to date + (1 − f) × the model's forecast, and only the rest of the year is uncertain:
the standard deviation is (1 − f) × the model's. GDP growing 5.6% over three quarters is then read as a year
near 5.6%, not as the 2020–2024 average.

With fewer than three yearly figures no model is fitted: the status then compares the trailing growth with
the required growth, and says so. The probability is that of the forecast distribution (normal on the model's
scale) meeting the comparator. "~" (about: "增长 5.5% 左右") is met from `tolerance` below the value up: the
district's targets are floors said politely, and doing better is never a miss.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from typing import Literal

from chanye.targets.yearly import YearToDate

Kind = Literal["amount", "share", "rate"]
Comparator = Literal[">", ">=", "<", "<=", "~"]


class Status(StrEnum):
    MET = "达标"
    ON_TRACK = "正常"
    WARNING = "预警"
    LAGGING = "滞后"
    UNKNOWN = "无数据"


@dataclass(frozen=True)
class Bands:
    """Probability of reaching the target at or above which a target is on track, or only a warning."""

    on_track: float = 0.5
    warning: float = 0.2
    # Without a model: the trailing growth as a share of the required growth for "on track" / "warning".
    growth_on_track: float = 1.0
    growth_warning: float = 0.8


DEFAULT_BANDS = Bands()
MIN_FITTED = 3  # yearly figures needed to fit a model


@dataclass(frozen=True)
class Target:
    value: float
    year: int
    comparator: Comparator = ">="
    kind: Kind = "amount"
    unit: str = ""
    tolerance: float = 0.5  # for "~": the band either side of the value, in the indicator's unit


@dataclass(frozen=True)
class Outlook:
    status: Status
    sentence: str
    latest_year: int | None = None
    latest: float | None = None
    required_growth: float | None = None  # per year, from the latest figure to the target (amounts, shares)
    trailing_growth: float | None = None  # per year, over the trailing years used
    trailing_years: int = 0
    forecast: float | None = None  # at the target year
    intervals: dict[int, tuple[float, float]] = field(default_factory=dict)  # 80, 95 → (low, high)
    probability: float | None = None
    model: str = ""
    # year, forecast, low95, high95, low80, high80
    path: list[tuple[int, float, float, float, float, float]] = field(default_factory=list)
    year_to_date: str = ""  # the words for the year-to-date figures the forecast used, if any


def assess(
    points: Sequence[tuple[int, float]],
    target: Target,
    *,
    as_of_year: int,
    bands: Bands = DEFAULT_BANDS,
    trailing: int = 3,
    year_to_date: YearToDate | None = None,
) -> Outlook:
    """The outlook of `target` from yearly `points` (year, value), as seen in `as_of_year`."""
    series = sorted((int(year), float(value)) for year, value in points if value is not None)
    if not series:
        return Outlook(Status.UNKNOWN, "尚无数据，无法判断。")
    latest_year, latest = series[-1]
    span = max(target.year - latest_year, 0)
    required = _required_growth(latest, target, span)
    trail, trail_years = _trailing_growth(series, target.kind, trailing)
    base = Outlook(
        Status.UNKNOWN,
        "",
        latest_year=latest_year,
        latest=latest,
        required_growth=required,
        trailing_growth=trail,
        trailing_years=trail_years,
    )
    head = f"{latest_year} 年 {_figure(latest, target)}"
    met = meets(latest, target) and (target.kind != "rate" or latest_year == target.year)
    if met and (latest_year >= target.year or len(series) < MIN_FITTED):
        return replace(base, status=Status.MET, sentence=f"{head}，已实现“{_goal(target)}”的目标。")
    if latest_year >= target.year:
        return replace(base, status=Status.LAGGING, sentence=f"{head}，未实现“{_goal(target)}”的目标。")
    need = _need_words(required, target, span)
    fitted = _fit(series, target, span) if len(series) >= MIN_FITTED else None
    if fitted is None:
        status = Status.MET if met else _by_growth(required, trail, bands)
        words = f"近 {trail_years} 年{_growth_words(trail, target)}" if trail is not None else "历史数据不足"
        return replace(
            base,
            status=status,
            sentence=f"{head}；{need}，{words}；数据不足 {MIN_FITTED} 年，未作预测：{status}。",
        )
    mean, sd, path, model = fitted
    ytd_words = ""
    if year_to_date is not None and year_to_date.year == target.year == latest_year + 1:
        nowcast = _nowcast(mean, sd, latest, year_to_date, target)
        if nowcast is not None:
            mean, sd, ytd_words = nowcast
            path = [_path_point(target.year, mean, sd, target.kind)]
            model = f"{model}；结合{year_to_date.label}的累计数"
    intervals = {level: _interval(mean, sd, level, target.kind) for level in (80, 95)}
    forecast = _back(mean, target.kind)
    probability = _probability(mean, sd, target)
    status = (
        Status.MET
        if met
        else Status.ON_TRACK
        if probability >= bands.on_track
        else Status.WARNING
        if probability >= bands.warning
        else Status.LAGGING
    )
    low, high = intervals[80]
    trail_words = f"近 {trail_years} 年{_growth_words(trail, target)}；" if trail is not None else ""
    if ytd_words:
        trail_words += f"{ytd_words}；"
    if met:
        need = f"已实现“{_goal(target)}”的目标"
    sentence = (
        f"{head}；{need}，{trail_words}按趋势预测 {target.year} 年 {_figure(forecast, target)}"
        f"（80% 区间 {_number(low)}–{_number(high)}），达成概率 {probability:.0%}：{status}。"
    )
    return replace(
        base,
        status=status,
        sentence=sentence,
        forecast=forecast,
        intervals=intervals,
        probability=probability,
        model=model,
        path=path,
        year_to_date=ytd_words,
    )


def meets(value: float, target: Target) -> bool:
    match target.comparator:
        case ">":
            return value > target.value
        case ">=":
            return value >= target.value
        case "<":
            return value < target.value
        case "<=":
            return value <= target.value
        case _:
            return value >= target.value - target.tolerance


def cagr(start: float, end: float, years: int) -> float | None:
    """Compound annual growth from `start` to `end` over `years` (None when it has no meaning)."""
    if years <= 0 or start <= 0 or end <= 0:
        return None
    return (end / start) ** (1 / years) - 1


def is_stale(period_end: date, months: int, as_of: date, grace_months: int = 3) -> bool:
    """A series is stale when its latest period ended more than one period plus the publication grace before
    `as_of` (a yearly figure for 2024 is due by the end of March 2026 at the latest)."""
    due = _add_months(period_end, months + grace_months)
    return as_of > due


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    following = date(year + (month == 12), month % 12 + 1, 1)
    last = (following - date.resolution).day
    return date(year, month, min(day.day, last))


def _required_growth(latest: float, target: Target, span: int) -> float | None:
    if target.kind == "rate" or span <= 0:
        return None
    if target.kind == "share":
        return (target.value - latest) / span  # points per year
    return cagr(latest, target.value, span)


def _trailing_growth(series: list[tuple[int, float]], kind: Kind, trailing: int) -> tuple[float | None, int]:
    if len(series) < 2:
        return None, 0
    window = series[-(trailing + 1) :]
    (first_year, first), (last_year, last) = window[0], window[-1]
    years = last_year - first_year
    if kind == "rate":
        return sum(value for _year, value in window[1:]) / len(window[1:]), len(window) - 1
    if kind == "share":
        return ((last - first) / years if years else None), years
    return cagr(first, last, years), years


def _by_growth(required: float | None, trail: float | None, bands: Bands) -> Status:
    if required is None or trail is None:
        return Status.UNKNOWN
    if required <= 0 or trail >= required * bands.growth_on_track:
        return Status.ON_TRACK
    if trail >= required * bands.growth_warning:
        return Status.WARNING
    return Status.LAGGING


def _path_point(
    year: int, mean: float, sd: float, kind: Kind
) -> tuple[int, float, float, float, float, float]:
    return (year, _back(mean, kind), *_interval(mean, sd, 95, kind), *_interval(mean, sd, 80, kind))


def _fit(
    series: list[tuple[int, float]], target: Target, span: int
) -> tuple[float, float, list[tuple[int, float, float, float, float, float]], str] | None:
    """(mean, sd) at the target year on the model's scale, the yearly path with 95% bounds, the model's name."""
    import numpy as np
    from statsmodels.tsa.arima.model import ARIMA

    years = [year for year, _value in series]
    if years != list(range(years[0], years[0] + len(years))):
        series = _yearly(series)
    values = np.array([value for _year, value in series], dtype=float)
    if target.kind == "amount":
        if (values <= 0).any():
            return None
        values = np.log(values)
        order, trend, name = (0, 1, 0), "t", "ARIMA(0,1,0) 带漂移，对数（年增速随机游走）"
    elif target.kind == "share":
        if ((values <= 0) | (values >= 100)).any():
            return None
        values = np.array([_logit(value) for value in values])
        order, trend, name = (0, 1, 0), "t", "ARIMA(0,1,0) 带漂移，logit（比重逐年变动，限于 0–100%）"
    else:
        order, trend, name = (0, 0, 0), "c", "ARIMA(0,0,0) 常数（围绕历史均值波动）"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # short series: convergence and frequency notices say nothing new
        fitted = ARIMA(values, order=order, trend=trend).fit(cov_type="none")
        prediction = fitted.get_forecast(span)
    means = np.asarray(prediction.predicted_mean, dtype=float)
    shocks = np.asarray(prediction.se_mean, dtype=float)
    # statsmodels' forecast variance leaves out the estimated drift (or mean): add h²·var(estimate), where the
    # estimate is the mean of n yearly changes (or values), so var = σ²/n.
    sigma2 = float(dict(zip(fitted.model.param_names, fitted.params, strict=True))["sigma2"])
    estimate = sigma2 / (len(values) - order[1])
    steps = np.arange(1, span + 1, dtype=float) if order[1] else np.ones(span)
    sds = np.sqrt(shocks**2 + steps**2 * max(estimate, 0.0))
    sds = np.where(np.isfinite(sds) & (sds > 0), sds, 1e-9)
    path = [
        _path_point(series[-1][0] + step + 1, float(means[step]), float(sds[step]), target.kind)
        for step in range(span)
    ]
    return float(means[-1]), float(sds[-1]), path, name


def _nowcast(
    mean: float, sd: float, latest: float, ytd: YearToDate, target: Target
) -> tuple[float, float, str] | None:
    """(mean, sd) of next year on the model's scale, given the part of it already observed, and its words."""
    share = min(max(ytd.fraction, 0.0), 1.0)
    if target.kind == "amount":
        growth = ytd.growth
        if growth is None or growth <= -1 or latest <= 0:
            return None
        base = math.log(latest)
        mean = base + share * math.log1p(growth) + (1 - share) * (mean - base)
        words = f"{ytd.label}同比增长 {growth:.1%}"
    elif target.kind == "share":
        if not 0 < ytd.value < 100:
            return None
        mean = share * _logit(ytd.value) + (1 - share) * mean
        words = f"{ytd.label}累计 {_figure(ytd.value, target)}"
    else:
        mean = share * ytd.value + (1 - share) * mean
        words = f"{ytd.label}累计 {_figure(ytd.value, target)}"
    return mean, max(sd * (1 - share), 1e-9), f"{words}（占全年约 {share:.0%}）"


def _yearly(series: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """Missing years filled by straight lines between their neighbours (the model needs every year)."""
    filled: list[tuple[int, float]] = [series[0]]
    for (year, value), (next_year, next_value) in zip(series, series[1:], strict=False):
        for gap in range(1, next_year - year):
            filled.append((year + gap, value + (next_value - value) * gap / (next_year - year)))
        filled.append((next_year, next_value))
    return filled


_Z = {80: 1.2815515655446004, 95: 1.959963984540054}


def _interval(mean: float, sd: float, level: int, kind: Kind) -> tuple[float, float]:
    z = _Z[level]
    return _back(mean - z * sd, kind), _back(mean + z * sd, kind)


def _logit(percent: float) -> float:
    p = percent / 100
    return math.log(p / (1 - p))


def _back(value: float, kind: Kind) -> float:
    if kind == "amount":
        return math.exp(value)
    if kind == "share":
        return 100 / (1 + math.exp(-max(min(value, 700.0), -700.0)))
    return value


def _probability(mean: float, sd: float, target: Target) -> float:
    def below(limit: float) -> float:
        if target.kind == "amount":
            if limit <= 0:
                return 0.0
            limit = math.log(limit)
        elif target.kind == "share":
            if limit <= 0:
                return 0.0
            if limit >= 100:
                return 1.0
            limit = _logit(limit)
        return 0.5 * math.erfc(-(limit - mean) / (sd * math.sqrt(2)))

    match target.comparator:
        case ">" | ">=":
            return 1 - below(target.value)
        case "<" | "<=":
            return below(target.value)
        case _:
            return 1 - below(target.value - target.tolerance)


def _number(value: float) -> str:
    if value == int(value) or abs(value) >= 10_000:
        return f"{value:,.0f}"
    return f"{value:,.1f}"


def _figure(value: float, target: Target) -> str:
    return f"{_number(value)}{' ' if target.unit and target.unit != '%' else ''}{target.unit}"


def _goal(target: Target) -> str:
    words = {">": "超过", ">=": "达到", "<": "低于", "<=": "不高于", "~": "约"}[target.comparator]
    return f"{target.year} 年{words} {_figure(target.value, target)}"


def _need_words(required: float | None, target: Target, span: int) -> str:
    if target.kind == "rate" or required is None:
        return f"目标为 {_goal(target)}"
    if target.kind == "share":
        return f"到 {target.year} 年需每年提高 {required:.2f} 个百分点"
    return f"到 {target.year} 年需年均增长 {required:.1%}"


def _growth_words(trail: float | None, target: Target) -> str:
    if trail is None:
        return "无可比数据"
    if target.kind == "share":
        return f"每年变动 {trail:+.2f} 个百分点"
    if target.kind == "rate":
        return f"平均 {trail:.1f}{target.unit}"
    return f"年均增长 {trail:.1%}"
