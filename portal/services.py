"""Writes of the portal's accounts: API tokens (rest_framework.authtoken)."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from rest_framework.authtoken.models import Token


def create_api_token(*, user: AbstractBaseUser) -> Token:
    """A new token for `user`, replacing any old one: making a new token revokes a leaked one."""
    with transaction.atomic():
        Token.objects.filter(user=user).delete()
        return Token.objects.create(user=user)


def revoke_api_token(*, user: AbstractBaseUser) -> bool:
    """Delete `user`'s token; True if there was one."""
    deleted, _ = Token.objects.filter(user=user).delete()
    return deleted > 0
