"""Mutation testing of the modules where a silent regression costs most (`make mutation`).

A small, seeded, AST-based driver of our own (docs/testing.md says why not mutmut or cosmic-ray):
`operators` makes the mutants, `scope` says which files and which tests per module group,
`runner` runs each mutant's tests in a forked worker with the mutated module imported in place of
the file (the work tree is never touched), `report` writes build/mutation/report.{json,md}, and
`equivalent.toml` lists by hand the mutants that no test can kill, each with its reason.
"""
