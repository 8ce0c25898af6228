"""What the CI pipelines decide before they apply: which stacks a change touches
(`changes.py`), and whether a stack may be applied while its colour takes traffic (`guard.py`);
`faas ci` (`cli.py`) is their command line. The Markdown review of a pull request's plans is a
view of the plan report (faas/report/render/markdown.py, `faas plan --review`).
"""
