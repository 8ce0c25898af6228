"""Pulumi entry point: the stack's name and config decide what is built (components/platform.py)."""

from components.platform import main

main()
