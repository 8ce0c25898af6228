"""The cutover tried locally: `faas demo cutover` builds an environment as its stack files describe
it in a local AWS API (a `moto_server` process), serves a smoke endpoint and a Kubernetes API per
colour on loopback, runs the real `faas cutover` against them, and stops everything it started.

The same servers and world builder back the cutover's tests (tests/support/ re-exports them), so
the demo and the tests exercise one world. moto comes with the dev extra (`pip install -e
'.[dev]'`, which `make` installs); the demo refuses with exit 2 and says so when it is missing.
"""
