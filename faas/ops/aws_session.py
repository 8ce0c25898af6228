"""The boto3 session a command makes its clients from.

Every session reads botocore's service models and endpoint data (JSON, tens of milliseconds per
service) into a loader of its own. A command makes one session, but a process that runs commands
in turn (the test suite, the demo, the mutation driver) would read the same files again for each;
sessions made here share one loader per process instead. The files belong to the installed
botocore and do not change while it runs. Credentials, region and configuration stay per session.
"""

from __future__ import annotations

from functools import cache
from typing import Any


@cache
def _loader() -> Any:
    import botocore.session

    return botocore.session.get_session().get_component("data_loader")


def session(region: str | None = None) -> Any:
    """A new boto3 session for `region` (None: the environment's), on the process's loader."""
    import boto3
    import botocore.session

    core = botocore.session.get_session()
    core.register_component("data_loader", _loader())
    return boto3.session.Session(botocore_session=core, region_name=region)
