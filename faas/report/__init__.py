"""The plan as a review report: cost, deploy-time critical path, picture, diff.

What `scripts/plan.py` calls, per stack and then per environment:

    report = build_report(doc, policy_result)        # policy_result: checker output or None
    write_outputs(report, "build/plan")              # <stack>.json, .svg, .html
    print(format_summary(report))
    env = environment_cost([r.doc for r in reports]) # one environment's stacks
    print(format_environment_cost(env))
    check = check_budget(env, budget_usd)            # --budget USD; exit 1 when not check.ok
    diff = diff_documents(load_document(old), doc)   # --against OLD.json
    print(format_diff(diff, stack))
"""

from .build import Report, build_report
from .cost import (
    BudgetCheck,
    EnvironmentCost,
    StackCost,
    check_budget,
    environment_cost,
    format_environment_cost,
    stack_cost,
)
from .diff import Diff, diff_documents, format_diff
from .plan_doc import load as load_document
from .render import format_summary, write_outputs

__all__ = [
    "BudgetCheck",
    "Diff",
    "EnvironmentCost",
    "Report",
    "StackCost",
    "build_report",
    "check_budget",
    "diff_documents",
    "environment_cost",
    "format_diff",
    "format_environment_cost",
    "format_summary",
    "load_document",
    "stack_cost",
    "write_outputs",
]
