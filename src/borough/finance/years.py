"""Financial years: a council's runs from 1 April to 31 March, and is named by both
calendar years ("2025/26"). Stored as the calendar year it starts in (2025)."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

START_MONTH = 4  # April
_LABEL = re.compile(r"^\s*(\d{4})\s*(?:[/-]\s*(\d{2}|\d{4}))?\s*$", re.ASCII)


@dataclass(frozen=True, order=True)
class FinancialYear:
    start_year: int

    @classmethod
    def of(cls, day: datetime.date) -> FinancialYear:
        """The financial year `day` falls in: 31 March 2026 is in 2025/26, 1 April 2026 in
        2026/27."""
        return cls(day.year if day.month >= START_MONTH else day.year - 1)

    @classmethod
    def parse(cls, text) -> FinancialYear:
        """ "2025/26", "2025-26", "2025/2026" or "2025" (the year it starts in); ValueError
        in words otherwise."""
        match = _LABEL.match(str(text or ""))
        if match:
            start, end = int(match.group(1)), match.group(2)
            follows = (end is None or (len(end) == 2 and int(end) == (start + 1) % 100)
                       or (len(end) == 4 and int(end) == start + 1))
            if follows and 1990 <= start <= 2200:
                return cls(start)
        raise ValueError(f"“{text}” is not a financial year: write it like 2025/26.")

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.start_year, START_MONTH, 1)

    @property
    def end(self) -> datetime.date:
        return datetime.date(self.start_year + 1, START_MONTH, 1) - datetime.timedelta(days=1)

    @property
    def label(self) -> str:
        return f"{self.start_year}/{(self.start_year + 1) % 100:02d}"

    def __str__(self) -> str:
        return self.label

    @property
    def days(self) -> int:
        """365, or 366 when it holds a 29 February (2027/28 does, 2026/27 does not)."""
        return (self.end - self.start).days + 1

    def days_within(self, first: datetime.date, last: datetime.date | None) -> int:
        """How many days from `first` to `last` (both included; None: with no end) fall in
        the year."""
        start = max(first, self.start)
        end = self.end if last is None else min(last, self.end)
        return max((end - start).days + 1, 0)

    def months(self) -> list[datetime.date]:
        """The first day of each of its twelve months, April to March."""
        return [datetime.date(self.start_year + (m - 1) // 12, (m - 1) % 12 + 1, 1)
                for m in range(START_MONTH, START_MONTH + 12)]

    def month_index(self, day: datetime.date) -> int:
        """0 for April … 11 for March; ValueError if `day` is not in this year."""
        if not self.start <= day <= self.end:
            raise ValueError(f"{day:%d %B %Y} is not in the financial year {self.label}.")
        return (day.month - START_MONTH) % 12

    def __contains__(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end

    def next(self) -> FinancialYear:
        return FinancialYear(self.start_year + 1)

    def previous(self) -> FinancialYear:
        return FinancialYear(self.start_year - 1)


def current(today: datetime.date | None = None) -> FinancialYear:
    from django.utils import timezone

    return FinancialYear.of(today or timezone.localdate())


def choices(around: FinancialYear | None = None, before: int = 5, after: int = 2
            ) -> list[tuple[int, str]]:
    """Years to choose from in a form: a few either side of the current one."""
    middle = (around or current()).start_year
    return [(y, FinancialYear(y).label) for y in range(middle + after, middle - before - 1, -1)]


def month_label(day: datetime.date) -> str:
    return f"{day:%b %Y}"
