"""Splitting figures that ran together (`640020470` → 64 0 0 2 0 4 70) by the format's sums.

A web page that lost its table's cell boundaries leaves each row's figures as one run of digits.
The format's sum rules (`pipeline.localise.equations()`: each row's 总计, each column's （七）总计
and balance, 表四's group totals) decide where the boundaries can be:

1. each run is split every way into as many figures as its cells (no figure with a leading zero,
   at most `Limits.digits` digits), keeping the splits that satisfy the rules lying within the run
   (its row's 总计, 表四's groups), with the cells read as written;
2. the runs are then combined under the rules spanning several rows (the columns), by dynamic
   programming over the rules' residuals.

A run that every combination splits the same way is read (`read_as = split`); several ways →
`ambiguous`, with the splits; none → `impossible`: the cells stay unread, never forced. The rules
used to split are returned with the result: they are not evidence that the table satisfies them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from pipeline.validate.localise import Cell, Equation


@dataclass(frozen=True)
class Limits:
    """Bounds of the search: a figure's digits, the split nodes visited per run, the states kept
    per step of the combination."""

    digits: int = 9
    nodes: int = 200_000
    states: int = 200_000


LIMITS = Limits()


@dataclass(frozen=True)
class Run:
    """Digits that ran together, for `cells` in order (a row's cells, left to right)."""

    key: str
    cells: tuple[Cell, ...]
    digits: str


@dataclass(frozen=True)
class Outcome:
    """What became of one run: split (values), ambiguous (the splits), impossible or capped."""

    run: Run
    status: str  # split | ambiguous | impossible | capped
    values: tuple[int, ...] = ()
    options: tuple[tuple[int, ...], ...] = ()
    reason: str = ""
    # impossible: the rules (rule id, key) that every split breaks (empty when the digits alone
    # cannot be its cells: then it is our reading that fails, not the table)
    broken: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Split:
    """The outcome of every run and the rules (rule id, key) used to decide them."""

    outcomes: dict[str, Outcome]
    used: frozenset[tuple[str, str]] = field(default_factory=frozenset)


def splits(
    runs: Sequence[Run],
    known: Mapping[Cell, int],
    equations: Iterable[Equation],
    limits: Limits = LIMITS,
) -> Split:
    """Split every run by the rules `equations` that can be judged (every cell of theirs is known
    or in a run), the cells `known` read as written."""
    in_runs = {c: r.key for r in runs for c in r.cells}
    usable = [e for e in equations if all(c in known or c in in_runs for c in e.cells)]
    outcomes: dict[str, Outcome] = {}
    candidates: dict[str, list[tuple[int, ...]]] = {}
    used: set[tuple[str, str]] = set()
    for run in runs:
        local = [e for e in usable if _local_to(e, run, known)]
        found, capped = _run_splits(run, local, known, limits)
        if capped:
            outcomes[run.key] = Outcome(run, "capped", reason=f"{limits.nodes}")
        elif not found:
            outcomes[run.key] = Outcome(
                run,
                "impossible",
                reason=_why_none(local),
                broken=tuple((e.rule, e.key) for e in local),
            )
        else:
            candidates[run.key] = found
            used.update((e.rule, e.key) for e in local)
    alive = {k for k in candidates}
    dead_cells = {c for r in runs if r.key not in alive for c in r.cells}
    spanning = [
        e
        for e in usable
        if not any(c in dead_cells for c in e.cells)
        and len({in_runs[c] for c in e.cells if c in in_runs}) >= 2
    ]
    by_key = {r.key: r for r in runs}
    joint = [k for k in candidates if any(c in e.cells for e in spanning for c in by_key[k].cells)]
    feasible, capped = _combined([by_key[k] for k in joint], candidates, spanning, known, limits)
    if joint and not capped and feasible:
        used.update((e.rule, e.key) for e in spanning)
    for key, found in candidates.items():
        run = by_key[key]
        if key in joint and capped:
            outcomes[key] = Outcome(run, "capped", options=tuple(found), reason=f"{limits.states}")
            continue
        if key in joint and feasible:
            found = feasible[key]
        elif key in joint and len(found) > 1:
            outcomes[key] = Outcome(
                run,
                "impossible",
                options=tuple(found),
                reason="按本行规则可拆分，但任何组合都不满足各列的勾稽关系",
                broken=tuple((e.rule, e.key) for e in spanning if set(e.cells) & set(run.cells)),
            )
            continue
        if len(found) == 1:
            outcomes[key] = Outcome(run, "split", values=found[0])
        else:
            outcomes[key] = Outcome(run, "ambiguous", options=tuple(found))
    return Split(outcomes, frozenset(used))


def _local_to(e: Equation, run: Run, known: Mapping[Cell, int]) -> bool:
    """Whether every cell of `e` is known or in `run`, and one at least is in it."""
    cells = set(run.cells)
    return any(c in cells for c in e.cells) and all(c in cells or c in known for c in e.cells)


def _why_none(local: list[Equation]) -> str:
    """Why a run has no split (Chinese, for the message)."""
    if not local:
        return "数字位数与栏数不相容"
    return "任何拆分都不满足本行的合计（已发布的表格本身可能不一致）"


def _run_splits(
    run: Run, local: list[Equation], known: Mapping[Cell, int], limits: Limits
) -> tuple[list[tuple[int, ...]], bool]:
    """Every split of one run satisfying its local rules, and whether the node cap was hit."""
    digits, cells = run.digits, run.cells
    n, k = len(digits), len(cells)
    if not digits.isdigit() or n < k or n > k * limits.digits:
        return [], False
    position = {c: i for i, c in enumerate(cells)}
    # each local rule is checked once its last cell of the run is set
    checks: dict[int, list[tuple[Equation, int]]] = {}
    for e in local:
        last = max(position[c] for c in e.cells if c in position)
        constant = sum(k_ * known[c] for c, k_ in e.terms if c not in position)
        checks.setdefault(last, []).append((e, constant))
    coef = {id(e): [(position[c], k_) for c, k_ in e.terms if c in position] for e in local}
    found: list[tuple[int, ...]] = []
    values = [0] * k
    nodes = 0
    capped = False

    def walk(i: int, start: int) -> None:
        nonlocal nodes, capped
        if capped:
            return
        left = k - i
        if left == 0:
            if start == n:
                found.append(tuple(values))
            return
        rest = n - start
        low = max(1, rest - (left - 1) * limits.digits)
        high = min(limits.digits, rest - (left - 1))
        for size in range(low, high + 1):
            nodes += 1
            if nodes > limits.nodes:
                capped = True
                return
            piece = digits[start : start + size]
            if size > 1 and piece[0] == "0":
                break  # NOTE: a figure never starts with 0, and longer pieces start with it too
            values[i] = int(piece)
            if all(
                constant + sum(k_ * values[j] for j, k_ in coef[id(e)]) == 0
                for e, constant in checks.get(i, ())
            ):
                walk(i + 1, start + size)

    walk(0, 0)
    return found, capped


def _combined(
    runs: list[Run],
    candidates: Mapping[str, list[tuple[int, ...]]],
    equations: list[Equation],
    known: Mapping[Cell, int],
    limits: Limits,
) -> tuple[dict[str, list[tuple[int, ...]]], bool]:
    """For each run, its splits that some combination satisfying `equations` takes (empty when
    no combination does); and whether the cap on states was hit."""
    if not runs:
        return {}, False
    index = {e: i for i, e in enumerate(equations)}
    start = [0] * len(equations)
    for e, i in index.items():
        start[i] = sum(k * known[c] for c, k in e.terms if c in known)
    # the residual change each candidate of each run makes
    effects = []
    for run in runs:
        per_cell = {c: j for j, c in enumerate(run.cells)}
        terms = [
            (index[e], [(per_cell[c], k) for c, k in e.terms if c in per_cell])
            for e in equations
            if any(c in per_cell for c in e.cells)
        ]
        effects.append(
            [
                [(i, sum(k * cand[j] for j, k in pairs)) for i, pairs in terms]
                for cand in candidates[run.key]
            ]
        )
    layers: list[dict[tuple[int, ...], list[tuple[tuple[int, ...], int]]]] = []
    states: dict[tuple[int, ...], list[tuple[tuple[int, ...], int]]] = {tuple(start): []}
    for effect in effects:
        nxt: dict[tuple[int, ...], list[tuple[tuple[int, ...], int]]] = {}
        for state in states:
            for c, changes in enumerate(effect):
                s = list(state)
                for i, d in changes:
                    s[i] += d
                nxt.setdefault(tuple(s), []).append((state, c))
                if len(nxt) > limits.states:
                    return {}, True
        layers.append(nxt)
        states = nxt
    zero = tuple([0] * len(equations))
    if zero not in states:
        return {}, False
    # NOTE: backwards from the zero residual, the states that lead to it; a run's candidate is
    # possible when some such path takes it (exact, without listing every combination)
    good = {zero}
    feasible: dict[str, list[tuple[int, ...]]] = {}
    for j in range(len(layers) - 1, -1, -1):
        picks = sorted({c for state in good for _prev, c in layers[j][state]})
        feasible[runs[j].key] = [candidates[runs[j].key][c] for c in picks]
        good = {prev for state in good for prev, _c in layers[j][state]}
    return feasible, False
