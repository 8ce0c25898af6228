"""Blue/green DNS cutover of one environment zone (docs/cutover.md).

Modules, in the order a cutover uses them: `clock` (injectable time), `aws` (boto3 clients, retry,
rate limit, call counting), `records` (discover and validate the weighted record sets, build change
batches), `lock` (TXT lock and outcome records), `probe` (HTTPS probes), `preflight` (target colour
checks), `shift` (the step loop and rollback), `progress` (what people see), `report` (JSON + SVG),
`cli` (argument parsing).
"""
