"""`moto_server` as the local AWS API runs it: moto's own server, started with settings that
change how fast it answers, never what it answers (docs/testing.md, "How long
`make test` takes").

- moto 5.2.5 checks every EKS role ARN (CreateCluster, CreateNodegroup) against the AWS
  partitions by building a new boto3 Session and parsing botocore's endpoints file again, about
  65 ms a call; the list is a constant of the installed botocore, so it is read once here.
- For every request it lists its own package folder on disk (`list_of_moto_modules`, a stat per
  service, about a tenth of its time here) to match the request's host; the folder does not
  change while it runs, so it is listed once.
- The server's heap is mostly moto and botocore loaded at start; frozen, the collector no longer
  walks it on every full collection (a full collection took about 0.2 s), and collections run
  less often.
- EC2's default AMIs, which nothing the demo or the tests build uses, are not loaded on every
  reset (`MOTO_EC2_LOAD_DEFAULT_AMIS`, a moto setting).

Run as `python -m faas.ops.demo.moto_main -H 127.0.0.1 -p PORT` (moto_server's arguments).
"""

from __future__ import annotations

import gc
import os
import sys


def _partitions_once() -> None:
    import moto.eks.utils
    from boto3.session import Session

    known = Session().get_available_partitions()

    class Partitions:  # what moto's role ARN check asks a new Session for, without making one
        def get_available_partitions(self) -> list[str]:
            return list(known)

    moto.eks.utils.Session = Partitions  # type: ignore[attr-defined,assignment]


def _modules_once() -> None:
    import moto.backends

    modules = tuple(moto.backends.list_of_moto_modules())
    moto.backends.list_of_moto_modules = lambda: modules  # type: ignore[assignment]


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    from moto.server import main as moto_main

    _partitions_once()
    _modules_once()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    moto_main(argv if argv is not None else sys.argv[1:])


if __name__ == "__main__":
    main()
