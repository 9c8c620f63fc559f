"""A real IMAP server for the tests: Debian's dovecot, run in the foreground as a child process
with its own configuration in a temporary directory, a passwd-file user and a self-signed
certificate (implicit TLS on one port, STARTTLS on another). No system service is touched."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
# The ports of this test server (the helper's range 8760-8769).
IMAPS_PORT = int(os.environ.get("LIUYAN_TEST_IMAPS_PORT", "8763"))
IMAP_PORT = int(os.environ.get("LIUYAN_TEST_IMAP_PORT", "8764"))
USER, PASSWORD = "board", "imap-test-password"


@dataclass
class Dovecot:
    root: Path
    process: subprocess.Popen
    cafile: Path
    host: str = "localhost"
    imaps_port: int = IMAPS_PORT
    imap_port: int = IMAP_PORT
    user: str = USER
    password: str = PASSWORD

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)


def available() -> bool:
    return Path(DOVECOT).exists()


def _certificate(root: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = root / "cert.pem", root / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    return cert_path, key_path


def _wait_for(port: int, process: subprocess.Popen, log: Path, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"dovecot stopped: {log.read_text(errors='replace')[-2000:]}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"dovecot did not listen on {port}: {log.read_text(errors='replace')}")


def start() -> Dovecot:
    # Not pytest's tmp_path: its parents are private to root, and dovecot's own processes run
    # as unprivileged users that must reach the user file and the mail directory.
    root = Path(tempfile.mkdtemp(prefix="liuyan-dovecot-"))
    root.chmod(0o755)
    cert, key = _certificate(root)
    mail = root / "mail"
    mail.mkdir()
    # Mail is stored as an unprivileged user (dovecot refuses to run mail processes as root).
    uid, gid = (os.getuid(), os.getgid()) if os.getuid() else (65534, 65534)
    os.chown(mail, uid, gid)
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}:{uid}:{gid}::{mail}/{USER}\n")
    log = root / "dovecot.log"
    config = root / "dovecot.conf"
    config.write_text(
        f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {log}
info_log_path = {log}
protocols = imap
listen = 127.0.0.1
ssl = required
ssl_cert = <{cert}
ssl_key = <{key}
ssl_min_protocol = TLSv1.2
auth_mechanisms = plain
first_valid_uid = 1
mail_location = maildir:~/Maildir
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {root}/passwd
}}
service imap-login {{
  inet_listener imap {{
    port = {IMAP_PORT}
  }}
  inet_listener imaps {{
    port = {IMAPS_PORT}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
"""
    )
    process = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=(root / "stderr.log").open("wb"),
    )
    try:
        _wait_for(IMAPS_PORT, process, root / "stderr.log")
    except Exception:
        process.kill()
        raise
    return Dovecot(root=root, process=process, cafile=cert)
