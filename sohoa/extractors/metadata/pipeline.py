"""The rule runner: each rule declares the results it reads and the one result it returns.

A rule is a class with ``requires`` (result types it reads, :class:`Layout` included) and ``assigns`` (the type of
the frozen dataclass its ``__call__`` returns). :class:`Pipeline` checks the order once, when it is built: every
type a rule requires is assigned by a rule before it, and no type is assigned twice. While it runs, a rule sees only
the results it declared, so a declaration cannot silently fall behind the code. The rules themselves are listed, in
order, in ``rules/__init__.py``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from typing import Any, ClassVar, TypeVar, cast

from sohoa.extractors.metadata.layout import Layout
from sohoa.extractors.metadata.lexicon import Resources

R = TypeVar("R")


class PipelineError(ValueError):
    """The rules' declarations do not fit together (a result read before any rule assigns it, or assigned twice)."""


class Results:
    """Results by type: all of them after a run, or the ones a rule declared while it runs."""

    __slots__ = ("_by_type",)

    def __init__(self, by_type: dict[type, object]) -> None:
        self._by_type = by_type

    def __getitem__(self, kind: type[R]) -> R:
        try:
            return cast(R, self._by_type[kind])
        except KeyError:
            raise KeyError(f"{kind.__name__} is not among the results this rule declared") from None


class Rule:
    """A field rule: reads the layout and earlier results, returns one result object and changes nothing else."""

    name: ClassVar[str]
    requires: ClassVar[tuple[type, ...]] = (Layout,)
    assigns: ClassVar[type]

    def __init__(self, res: Resources) -> None:
        self.res = res

    def __call__(self, inputs: Results) -> Any:
        raise NotImplementedError

    def title_regex(self) -> re.Pattern[str]:
        """The signer titles of ``people.json`` as one regex over folded text, longest first."""
        keys = sorted(self.res.signer_titles, key=len, reverse=True)
        return re.compile(r"(?<![a-z])(" + "|".join(re.escape(k) for k in keys) + r")(?![a-z])")


class Pipeline:
    """Rules in order, checked once; ``run`` gives every rule's result for one layout."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        assigned: set[type] = {Layout}
        for rule in rules:
            missing = [t.__name__ for t in rule.requires if t not in assigned]
            if missing:
                raise PipelineError(f"rule {rule.name} requires {', '.join(missing)}, which no rule before it assigns")
            if rule.assigns in assigned:
                raise PipelineError(f"rule {rule.name} assigns {rule.assigns.__name__}, already assigned")
            assigned.add(rule.assigns)
        self.rules = tuple(rules)

    def run(self, layout: Layout, cpu: dict[str, float] | None = None) -> Results:
        """Every rule's result; ``cpu`` (rule name -> seconds) adds up the CPU time of each rule when given."""
        done: dict[type, object] = {Layout: layout}
        for rule in self.rules:
            t0 = time.process_time() if cpu is not None else 0.0
            result = rule(Results({t: done[t] for t in rule.requires}))
            if type(result) is not rule.assigns:
                raise TypeError(f"rule {rule.name} returned {type(result).__name__}, not {rule.assigns.__name__}")
            done[rule.assigns] = result
            if cpu is not None:
                cpu[rule.name] = cpu.get(rule.name, 0.0) + time.process_time() - t0
        return Results(done)
