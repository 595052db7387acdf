import json, pytest
from tests.factories import make_iam_user, grant
from tests.security.support import in_process_client, new_key, error_of, snapshot
pytestmark = pytest.mark.django_db

def test_probe(alice_account):
    admin = make_iam_user(alice_account.account, "admin", password=None); grant(admin)
    kid, sec = new_key(admin)
    seen = []
    iam = in_process_client("iam", kid, sec, seen=seen)
    print(iam.list_users()["Users"][0]["UserName"])
    print(iam.create_user(UserName="x y")) if False else None
    print(error_of(iam.create_user, UserName="x y"))
    sts = in_process_client("sts", kid, sec)
    print(sts.get_caller_identity()["Arn"])
    print(seen[-1][:2])
    s = snapshot(); print({k: len(v) for k, v in s.items()})
