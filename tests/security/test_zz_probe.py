import json, pytest
from core.caller import Caller
from tests.factories import make_iam_user, grant, caller_for
from identities.operations import users, roles
from sts.operations import assume_role
pytestmark = pytest.mark.django_db

def test_probe(alice_account):
    admin = make_iam_user(alice_account.account, "admin"); grant(admin)
    dev = make_iam_user(alice_account.account, "dev")
    arn = dev.arn
    doc = json.dumps({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":arn},"Action":"sts:AssumeRole"}]})
    role = roles.create_role(caller_for(admin), role_name="Priv", assume_role_policy_document=doc)
    r = assume_role(caller_for(dev), role_arn=role.arn, role_session_name="x")
    print("first ok", r.assumed_role_arn)
    users.delete_user(caller_for(admin), user_name="dev")
    dev2 = make_iam_user(alice_account.account, "dev")
    try:
        r = assume_role(caller_for(dev2), role_arn=role.arn, role_session_name="y")
        print("RECREATED USER ASSUMED", r.assumed_role_arn)
    except Exception as e:
        print("refused", e)
    print(roles.get_role(caller_for(admin), role_name="Priv").trust_policy)
