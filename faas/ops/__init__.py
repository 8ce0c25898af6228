"""Operations on live environments: the DNS cutover, the state backend bootstrap, new environments.

These talk to AWS through boto3 (which honours `AWS_ENDPOINT_URL`, so the same code runs against a
local API in tests and demos) or write stack files; none of them loads the Pulumi SDK.
"""
