"""The cutover's test world: the package's builder (faas/ops/demo/world.py, which `faas demo
cutover` uses too) with the tests' fixed environment `dev` in us-east-1."""

from faas.ops.demo.world import Shape, World, build_world

SHAPE = Shape()
ENV = SHAPE.env
BASE = SHAPE.base_domain
ZONE = SHAPE.zone

__all__ = ["BASE", "ENV", "SHAPE", "ZONE", "World", "build_world"]
