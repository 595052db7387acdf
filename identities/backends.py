"""Console authentication: the account root by email, IAM users by account and name."""

from __future__ import annotations

from django.db.models import Q

from identities.models import Account, User


def find_account(reference: str) -> Account | None:
    """An account by its 12-digit id or its alias."""
    reference = (reference or "").strip().lower()
    if not reference or len(reference) > 63:
        return None
    return Account.objects.filter(Q(id=reference) | Q(alias=reference)).first()


class ConsoleBackend:
    """Checks a console password; never says which part of a sign-in was wrong."""

    def authenticate(self, request, *, password: str = "", email: str = "",
                     account: str = "", user_name: str = "", **_ignored):
        user = self._find(email=email, account=account, user_name=user_name)
        if user is None or not user.has_usable_password():
            # Hash anyway, so that a missing identity takes as long as a wrong
            # password and timing tells nothing.
            User().set_password(password)
            return None
        if user.check_password(password):
            return user
        return None

    def _find(self, *, email: str, account: str, user_name: str) -> User | None:
        if email:
            return (User.objects.select_related("account")
                    .filter(kind=User.Kind.ROOT, email__iexact=email.strip()).first())
        found = find_account(account)
        if found is None or not user_name:
            return None
        return (User.objects.select_related("account", "login_profile")
                .filter(account=found, kind=User.Kind.IAM, name__iexact=user_name.strip(),
                        login_profile__isnull=False).first())

    def get_user(self, user_id):
        return User.objects.select_related("account").filter(pk=user_id).first()
