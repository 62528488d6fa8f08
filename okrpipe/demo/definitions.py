"""The demo's ``okrs.yaml``: the CloudSALES launch quarter, written for a given quarter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from okrpipe.definitions.periods import Period, parse_period

TIMEZONE = "Europe/Oslo"


@dataclass(frozen=True)
class DemoCalendar:
    """The demo's dates: the quarter of its "today", and the month before it (the baseline
    period of the revenue key result)."""

    quarter: Period
    baseline_month: Period
    today: date

    @classmethod
    def around(cls, today: date) -> DemoCalendar:
        """The calendar of the quarter that contains ``today``."""
        quarter = parse_period(f"{today.year}-Q{(today.month - 1) // 3 + 1}")
        last = quarter.start - timedelta(days=1)
        return cls(quarter, parse_period(f"{last.year}-{last.month:02d}"), today)

    @property
    def first_day(self) -> date:
        """The first day with events: the baseline month's first day."""
        return self.baseline_month.start

    @property
    def last_day(self) -> date:
        """The last day with events: yesterday."""
        return self.today - timedelta(days=1)


def definitions_yaml(calendar: DemoCalendar) -> str:
    """okrs.yaml for the demo quarter."""
    quarter = calendar.quarter.label
    return f"""\
# okrpipe demo: the CloudSALES launch, {quarter}. Written by `okrpipe demo`; edit freely and
# run `okrpipe materialize` (or `okrpipe demo` again) to see the figures move.
timezone: {TIMEZONE}
status_thresholds: {{at_risk: 0.10, off_track: 0.25}}

metrics:
  - {{key: visits, description: Sessions on the CloudSALES site and app, unit: sessions,
     aggregation: sum}}
  - {{key: trials, description: Trial sign-ups, aggregation: sum}}
  - {{key: conversions, description: Trials converted to paid plans, aggregation: sum}}
  - key: trial_conversion
    description: Share of trials that convert to a paid plan
    ratio: {{numerator: conversions, denominator: trials}}
  - {{key: satisfaction, description: Post-onboarding survey score, unit: percent,
     aggregation: avg}}
  - {{key: nps, description: Net promoter survey answers (0-10), aggregation: nps}}
  - {{key: first_response_hours, description: Hours until a ticket's first reply, unit: hours,
     aggregation: avg, better: lower}}
  - {{key: revenue, description: New subscription revenue, unit: EUR, aggregation: sum}}

benchmarks:
  - {{id: nps_industry, metric: nps, value: 41, source: B2B SaaS NPS survey 2025}}
  - {{id: response_industry, metric: first_response_hours, value: 6,
     source: Support benchmark report 2025, window: trailing_30d}}
  - {{id: conversion_saas, metric: trial_conversion, value: 0.25,
     source: SaaS trial conversion study, window: trailing_30d}}

objectives:
  - id: grow_revenue
    title: Grow new subscription revenue
    owner: leadership
    period: {quarter}
    key_results:
      - id: daily_revenue
        title: Grow daily new revenue 50% over {calendar.baseline_month.label}
        metric: revenue
        window: trailing_28d
        statistic: daily_average
        baseline: {{period: {calendar.baseline_month.label}}}
        target: {{change_pct: 50}}

  - id: launch_cloudsales
    title: Successfully launch CloudSALES in 90 days
    owner: product
    period: {quarter}
    parent: grow_revenue
    weight: 2
    key_results:
      - id: daily_visits
        title: Achieve 1,000 average daily web visits
        metric: visits
        where: {{channel: web}}
        window: trailing_7d
        statistic: daily_average
        baseline: 250
        commit: 600
        target: 1000
        stretch: 1400
      - id: satisfaction
        title: Reach 90% satisfaction
        metric: satisfaction
        window: trailing_30d
        baseline: 70
        target: 90
      - id: trial_conversion
        title: Convert 30% of trials
        metric: trial_conversion
        window: trailing_14d
        baseline: 0.15
        commit: 0.22
        target: 0.30
        stretch: 0.35

  - id: delight_customers
    title: Delight CloudSALES customers
    owner: customer success
    period: {quarter}
    parent: grow_revenue
    key_results:
      - id: nps_vs_industry
        title: NPS at the industry benchmark
        metric: nps
        window: trailing_30d
        baseline: 20
        target: {{benchmark: nps_industry}}
      - id: first_response
        title: Cut first response to 4 hours
        metric: first_response_hours
        where: {{team: support}}
        window: trailing_14d
        baseline: 12
        target: 4

kpis:
  - {{id: web_visits_daily, metric: visits, where: {{channel: web}}, cadence: day, target: 1000}}
  - {{id: first_response_weekly, metric: first_response_hours, where: {{team: support}},
     cadence: week, target: {{benchmark: response_industry}}}}
  - {{id: nps_weekly, metric: nps, cadence: week, target: {{benchmark: nps_industry}}}}
  - {{id: revenue_monthly, metric: revenue, cadence: month, target: 120000}}
"""
