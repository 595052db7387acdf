"""The AWS managed policies this deployment ships, as data.

``index.json`` lists each policy's name, path, description, version and dates as
AWS publishes them; ``documents/<name>.json`` holds its default version's
document, stored and served byte for byte. Data migrations load them with
``apps.get_model`` (see ``policies/migrations/0002_load_aws_managed_policies.py``);
nothing else writes AWS managed policies, and no operation may change them.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

DIRECTORY = Path(__file__).resolve().parent


@dataclass(frozen=True)
class CatalogueEntry:
    name: str
    path: str
    description: str
    default_version_id: str
    created_at: datetime
    updated_at: datetime
    document: str

    @property
    def arn(self) -> str:
        return f"arn:aws:iam::aws:policy{self.path}{self.name}"

    @property
    def policy_id(self) -> str:
        """A stable ``ANPA...`` id derived from the name.

        AWS's own ids are not published with the documents; deriving ours from the
        name keeps them the same in every deployment and across reloads.
        """
        digest = hashlib.sha256(f"aws-managed-policy:{self.name}".encode()).digest()
        return "ANPA" + base64.b32encode(digest).decode()[:17]


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def entries() -> list[CatalogueEntry]:
    """Every catalogue policy, in the order of ``index.json``."""
    index = json.loads((DIRECTORY / "index.json").read_text(encoding="utf-8"))
    return [
        CatalogueEntry(
            name=item["PolicyName"],
            path=item["Path"],
            description=item["Description"],
            default_version_id=item["DefaultVersionId"],
            created_at=_when(item["CreateDate"]),
            updated_at=_when(item["UpdateDate"]),
            document=(DIRECTORY / "documents" / f"{item['PolicyName']}.json").read_text(encoding="utf-8"),
        )
        for item in index
    ]
