"""Pieces every domain uses: the stack's identity, KMS keys, encrypted log groups, IAM documents.

`identity.Identity` names and tags every resource; `kms.EncryptionKey` and
`logs.EncryptedLogGroup` are the only ways the program makes a key or a log group, so none is
unencrypted, unrotated or kept forever; `iam` builds trust and permission policy documents.
"""
