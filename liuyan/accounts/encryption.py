"""Writes that (re-)encrypt personal data in place: the data migrations that turn clear rows
into tokens, and `liuyan reencrypt-fields` after a key rotation. Both walk every model with an
encrypted field, in primary-key batches, each batch in its own transaction."""

from __future__ import annotations

from django.db import transaction

from . import crypto
from .fields import EncryptedCharField, PhoneHashField

BATCH = 500


def _fields_of(model) -> tuple[list, list]:
    fields = model._meta.concrete_fields
    encrypted = [field for field in fields if isinstance(field, EncryptedCharField)]
    hashes = [field for field in fields if isinstance(field, PhoneHashField)]
    return encrypted, hashes


def reencrypt_model(model, *, batch: int = BATCH) -> int:
    """Write every row's encrypted fields again with the newest key, and their hashes with the
    current hash key. Clear text left from before encryption is read as it is (see
    crypto.decrypt), so this is also the data migration. Returns the number of rows."""
    encrypted, hashes = _fields_of(model)
    if not encrypted:
        return 0
    names = [field.attname for field in encrypted]
    rows, last_pk = 0, None
    manager = model._base_manager
    while True:
        page = manager.order_by("pk")
        if last_pk is not None:
            page = page.filter(pk__gt=last_pk)
        values = list(page.values_list("pk", *names)[:batch])
        if not values:
            return rows
        with transaction.atomic(using=manager.db):
            for pk, *clear in values:
                update = dict(zip(names, clear, strict=True))
                for field in hashes:
                    update[field.attname] = crypto.phone_hash(update.get(field.source))
                manager.filter(pk=pk).update(**update)
        rows += len(values)
        last_pk = values[-1][0]


def reencrypt_models(models) -> dict[str, int]:
    return {model._meta.label: reencrypt_model(model) for model in models}


def encrypted_models(apps) -> list:
    """Every model (of `apps`, the live registry or a migration's) with an encrypted field."""
    return [model for model in apps.get_models() if _fields_of(model)[0]]


def decrypt_model_in_place(model, connection) -> None:
    """The way back for a data migration: write the clear text into the columns again."""
    encrypted, _hashes = _fields_of(model)
    if not encrypted:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    columns = [field.column for field in encrypted]
    sets = ", ".join(f"{connection.ops.quote_name(column)} = %s" for column in columns)
    names = [field.attname for field in encrypted]
    with connection.cursor() as cursor:
        for pk, *clear in model._base_manager.values_list("pk", *names).iterator():
            cursor.execute(f"UPDATE {table} SET {sets} WHERE id = %s", [*clear, pk])  # noqa: S608
