"""IAM operations on accounts and identities, one function per AWS action, in
small modules by entity: ``account``, ``users``, ``groups``, ``credentials``
(login profiles and access keys), ``mfa``, ``password_policy``.

Each authorizes through the engine first, then validates, changes the data in
one transaction and records its event (``audit.recording.operation``).
"""

from identities.operations.account import (  # noqa: F401
    AccountSummary,
    change_password,
    create_account_alias,
    delete_account_alias,
    get_account_summary,
    list_account_aliases,
)
