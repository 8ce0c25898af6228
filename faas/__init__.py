"""The `faas` command and the tools behind it.

`plan` (the offline planner: the real program under Pulumi's mock monitor), `report` (the plan's
review report: model apart from its renderers), `ops` (cutover, bootstrap, new environments),
`check` (the policy pack's offline runner on any preview document). `cli` is the one entry point;
`scripts/*.py` are thin wrappers with the historic arguments. Exit codes: `exitcodes`.
"""
