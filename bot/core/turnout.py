"""Turnout of a general assembly, as the assembly's own results and the district statistics
both report it: people who voted online and on site, against the eligible population."""

from __future__ import annotations


class TurnoutFigures:
    """A base for the (frozen) dataclasses that carry these three figures."""

    online_voters: int
    onsite_voters: int
    eligible_population: int | None

    @property
    def voters(self) -> int:
        return self.online_voters + self.onsite_voters

    @property
    def percent(self) -> float | None:
        """Turnout in percent; None while the eligible population is not known (or 0)."""
        if not self.eligible_population:
            return None
        return 100.0 * self.voters / self.eligible_population
