"""What encryption at rest and the lock-out checks cost per request.

    LIUYAN_DEBUG=1 .venv/bin/python bench/accounts_security.py [--rows 20000]

In a fresh SQLite database (temporary directory): per-operation times of encrypting and
decrypting a phone number, computing its look-up hash, finding a user by phone among --rows
users (through the hash index), and the lock-out check of a sign-in attempt when the table of
failures holds --rows failures from a "botnet" of addresses against one account.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from time import perf_counter

PROJECT = Path(__file__).resolve().parents[1]


def per_op(label: str, fn, repeat: int) -> None:
    start = perf_counter()
    for i in range(repeat):
        fn(i)
    seconds = (perf_counter() - start) / repeat
    print(f"{label:<52} {seconds * 1e6:10.1f} µs/op  ({repeat} ops)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20000)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="liuyan-bench-accounts-")
    os.environ["LIUYAN_VAR_DIR"] = tmp
    os.environ.setdefault("LIUYAN_DEBUG", "1")
    os.environ["DATABASE_URL"] = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
    sys.path.insert(0, str(PROJECT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liuyan.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from liuyan.accounts import crypto, selectors, services
    from liuyan.accounts.models import SignInFailure, User

    call_command("migrate", verbosity=0)
    token = crypto.encrypt("13912345678")
    per_op("encrypt a phone number (Fernet)", lambda i: crypto.encrypt("13912345678"), 5000)
    per_op("decrypt a phone number", lambda i: crypto.decrypt(token), 5000)
    per_op("look-up hash of a phone number (HMAC-SHA256)", lambda i: crypto.phone_hash("139"), 5000)

    users = [
        User(username=f"u{i}", phone=f"139{i:08d}", real_name="张三") for i in range(args.rows)
    ]
    start = perf_counter()
    User.objects.bulk_create(users, batch_size=1000)
    print(
        f"{'bulk_create users (encrypt + hash each)':<52} "
        f"{(perf_counter() - start) / args.rows * 1e6:10.1f} µs/row ({args.rows} rows)"
    )
    per_op(
        "baseline: a user by primary key (one query)",
        lambda i: User.objects.filter(pk=1 + (i * 7919) % args.rows).first(),
        2000,
    )
    per_op(
        f"user_by_phone among {args.rows} users",
        lambda i: selectors.user_by_phone(f"139{(i * 7919) % args.rows:08d}"),
        2000,
    )

    now = timezone.now()
    SignInFailure.objects.bulk_create(
        SignInFailure(
            scope="staff",
            key="moderator",
            ip_address=f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}",
            at=now,
        )
        for i in range(args.rows)
    )
    per_op(
        f"lock check, account hammered by {args.rows} failures",
        lambda i: selectors.sign_in_lock("staff", "moderator", "192.0.2.1", now),
        500,
    )
    per_op(
        "lock check, quiet account",
        lambda i: selectors.sign_in_lock("staff", "handler", "192.0.2.1", now),
        500,
    )
    per_op(
        "record one failure (with lock thresholds)",
        lambda i: services.record_sign_in_failure(
            scope="staff", key=f"g{i}", ip="198.51.100.7", now=now
        ),
        500,
    )


if __name__ == "__main__":
    main()
