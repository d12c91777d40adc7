"""The matching model stated with PuLP's public API, for inspection and export.

`RestrictedMaster` keeps the model as arrays and hands them to HiGHS itself (`highs` says
why); this builds the same model as a `pulp.LpProblem`, on demand only, so that it can be
read, written (``writeLP``, ``writeMPS``) or loaded into HiGHS by PuLP's own interface,
which a test compares with what the solver loaded.
"""

from __future__ import annotations

import math
from typing import Literal

import pulp

from matching.domain.solver.column_generation import RestrictedMaster


def as_pulp_problem(master: RestrictedMaster, name: str = "matching") -> pulp.LpProblem:
    """The master problem as it stands: columns, bounds, objective and every bounded row.

    A coupling row priced into the objective (both bounds infinite) constrains nothing and
    is left out: PuLP has no free rows.
    """
    problem = pulp.LpProblem(name, pulp.LpMaximize)
    pinned = set(master.pinned_columns().tolist())
    category: Literal["Integer", "Continuous"] = "Integer" if master.integer else "Continuous"
    variables = [
        problem.add_variable(f"x_{i}_{j}", 1 if k in pinned else 0, 1, category)
        for k, (i, j) in enumerate(
            zip(master.columns_i.tolist(), master.columns_j.tolist(), strict=True)
        )
    ]
    problem.setObjective(pulp.lpSum_vars_coefs(zip(variables, master.costs.tolist(), strict=True)))
    rows = master.rows
    for row, row_name in enumerate(rows.names):
        lower, upper = rows.lower[row], rows.upper[row]
        if math.isinf(lower) and math.isinf(upper):
            continue
        members, values = rows.entries(row)
        expression = pulp.lpSum_vars_coefs(
            (variables[column], value)
            for column, value in zip(members.tolist(), values.tolist(), strict=True)
        )
        problem.addConstraint(
            expression >= lower if math.isinf(upper) else expression <= upper, row_name
        )
    return problem
