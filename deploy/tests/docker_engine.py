"""A Docker engine for the image tests, and a python:3.11 base image made without a registry.

With DOCKER_HOST set (CI runners, a developer's Docker), that engine is used as it is.
Otherwise Debian's dockerd is started as a child, rootless of any network setup: no
iptables, no bridge, only host networking, its state under a scratch exec-root and a
data-root kept in the cache directory (so the imported base and the build cache survive
between runs). It is stopped by its pid and everything it mounted is unmounted.

No registry is reachable from these machines, so the base image is built locally:
``debootstrap --variant=minbase bookworm`` plus Debian's python3.11 (and its C headers, as
the official image has them), the host's CA bundle and pip.conf (package downloads go
through this machine's proxy), imported with ``docker import``. The root filesystem is
cached as a tarball.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

LOCAL_BASE = "teammoa-local/python:3.11-bookworm"
BASE_CHANGES = [
    "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "ENV LANG=C.UTF-8",
    'CMD ["python3"]',
]
# Like the official Debian images: no apt caches in the layers.
APT_DOCKER_CLEAN = """\
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
"""


class EngineError(RuntimeError):
    pass


def docker_cli() -> str:
    # Debian's client matches Debian's dockerd; another one on PATH may be far newer.
    for candidate in ("/usr/bin/docker", shutil.which("docker")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise EngineError("no docker command line client")


class Engine:
    def __init__(self, cache: Path, log: Path) -> None:
        self.cache = cache
        self.log_path = log
        self.process: subprocess.Popen | None = None
        self.exec_root: Path | None = None
        self.data_root = cache / "docker"
        self.env = dict(os.environ)
        self.external = bool(os.environ.get("DOCKER_HOST"))

    # --- lifecycle ------------------------------------------------------------------------

    def start(self) -> Engine:
        if self.external:
            self.wait_ready(30)
            return self
        dockerd = shutil.which("dockerd")
        if not dockerd:
            raise EngineError("dockerd is not installed (apt-get install docker.io)")
        # Short: containerd's socket path lives under it and must stay under 108 bytes.
        self.exec_root = Path(tempfile.mkdtemp(prefix="tmd-", dir="/tmp"))
        self.data_root.mkdir(parents=True, exist_ok=True)
        socket_path = self.exec_root / "docker.sock"
        self.env["DOCKER_HOST"] = f"unix://{socket_path}"
        self.log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [
                dockerd,
                "--iptables=false",
                "--ip6tables=false",
                "--bridge=none",
                "--data-root", str(self.data_root),
                "--exec-root", str(self.exec_root),
                "--pidfile", str(self.exec_root / "docker.pid"),
                "-H", f"unix://{socket_path}",
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        self.wait_ready(60)
        return self

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise EngineError(f"dockerd exited:\n{self.log_path.read_text()[-3000:]}")
            if self.docker("info", check=False, timeout=10).returncode == 0:
                return
            time.sleep(0.5)
        raise EngineError(f"no Docker engine answered within {timeout:g} s")

    def stop(self) -> None:
        if self.process is None:
            return
        with contextlib.suppress(Exception):
            self.docker("image", "prune", "--force", check=False, timeout=60)
            self.docker("builder", "prune", "--force", "--keep-storage", "3GB", check=False)
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        self.unmount_leftovers()
        if self.exec_root is not None:
            shutil.rmtree(self.exec_root, ignore_errors=True)
        self.process = None

    def unmount_leftovers(self) -> None:
        """dockerd's netns bind mounts and its private data-root mount, deepest first."""
        roots = [str(self.data_root)] + ([str(self.exec_root)] if self.exec_root else [])
        mounts = [
            line.split()[1]
            for line in Path("/proc/mounts").read_text().splitlines()
            if any(line.split()[1].startswith(root) for root in roots)
        ]
        for mount in sorted(mounts, key=len, reverse=True):
            subprocess.run(["umount", "-l", mount], check=False, capture_output=True)

    # --- commands -------------------------------------------------------------------------

    def docker(
        self, *args: str, check: bool = True, timeout: float = 600, **env: str
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [docker_cli(), *args],
            env={**self.env, **env},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and result.returncode != 0:
            raise EngineError(f"docker {' '.join(args)}:\n{result.stdout}{result.stderr}")
        return result

    def has_image(self, reference: str) -> bool:
        return self.docker("image", "inspect", reference, check=False).returncode == 0

    # --- the local base image -------------------------------------------------------------

    def local_base(self) -> str:
        if self.has_image(LOCAL_BASE):
            return LOCAL_BASE
        tarball = self.cache / "python3.11-bookworm-rootfs.tar"
        if not tarball.exists():
            build_rootfs_tarball(tarball)
        self.docker("import", *[f"--change={c}" for c in BASE_CHANGES], str(tarball), LOCAL_BASE)
        return LOCAL_BASE


def _chroot(root: Path, *command: str) -> None:
    env = {"DEBIAN_FRONTEND": "noninteractive", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}
    result = subprocess.run(
        ["chroot", str(root), *command], env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise EngineError(f"chroot {' '.join(command)}:\n{result.stdout[-2000:]}{result.stderr}")


def build_rootfs_tarball(tarball: Path) -> None:
    if not shutil.which("debootstrap"):
        raise EngineError("debootstrap is not installed (apt-get install debootstrap)")
    work = Path(tempfile.mkdtemp(prefix="rootfs-", dir=tarball.parent))
    root = work / "root"
    try:
        result = subprocess.run(
            [
                "debootstrap",
                "--variant=minbase",
                "bookworm",
                str(root),
                "http://deb.debian.org/debian",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise EngineError(f"debootstrap failed:\n{result.stdout[-3000:]}{result.stderr}")
        (root / "etc/apt/apt.conf.d/docker-clean").write_text(APT_DOCKER_CLEAN)
        shutil.copy("/etc/resolv.conf", root / "etc/resolv.conf")
        _chroot(root, "apt-get", "update", "-qq")
        _chroot(root, "apt-get", "install", "-y", "-qq", "--no-install-recommends",
                "python3.11", "python3.11-venv", "python3.11-dev", "ca-certificates")  # fmt: skip
        # Keep the headers (the official image has them, mysqlclient compiles against them)
        # but not the static library and compiler bits python3.11-dev pulls in.
        keep = work / "include"
        shutil.copytree(root / "usr/include/python3.11", keep / "python3.11")
        shutil.copytree(root / "usr/include/x86_64-linux-gnu/python3.11", keep / "arch")
        _chroot(root, "apt-get", "purge", "-y", "-qq", "--autoremove",
                "python3.11-dev", "libpython3.11-dev")  # fmt: skip
        shutil.copytree(keep / "python3.11", root / "usr/include/python3.11")
        (root / "usr/include/x86_64-linux-gnu").mkdir(parents=True, exist_ok=True)
        shutil.copytree(keep / "arch", root / "usr/include/x86_64-linux-gnu/python3.11")
        for name in ("python", "python3"):
            (root / "usr/local/bin" / name).symlink_to("/usr/bin/python3.11")
        # This machine reaches PyPI through a proxy with its own CA.
        bundle = Path("/etc/ssl/certs/ca-certificates.crt")
        if bundle.exists():
            shutil.copy(bundle, root / "etc/ssl/certs/ca-certificates.crt")
            local = root / "usr/local/share/ca-certificates"
            local.mkdir(parents=True, exist_ok=True)
            shutil.copy(bundle, local / "host-bundle.crt")
        if Path("/etc/pip.conf").exists():
            shutil.copy("/etc/pip.conf", root / "etc/pip.conf")
        _chroot(root, "apt-get", "clean")
        for pattern in ("var/lib/apt/lists/*", "usr/share/doc/*", "usr/share/man/*",
                        "usr/share/info/*", "usr/share/locale/*", "var/log/*.log",
                        "var/log/apt/*", "var/cache/debconf/*-old", "debootstrap"):  # fmt: skip
            for path in root.glob(pattern):
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path)
                else:
                    path.unlink()
        (root / "etc/resolv.conf").write_text("")
        partial = tarball.with_suffix(".partial")
        subprocess.run(
            ["tar", "-C", str(root), "--numeric-owner", "-cf", str(partial), "."], check=True
        )
        partial.rename(tarball)
    finally:
        _remove_tree(work)


def _mounts_under(path: Path) -> list[str]:
    prefix = str(path) + "/"
    return [
        line.split()[1]
        for line in Path("/proc/mounts").read_text().splitlines()
        if line.split()[1].startswith(prefix)
    ]


def _remove_tree(work: Path) -> None:
    """Delete the scratch root, never through a mount (debootstrap may bind /dev or /proc)."""
    for mount in sorted(_mounts_under(work), key=len, reverse=True):
        subprocess.run(["umount", "-l", mount], check=False, capture_output=True)
    left = _mounts_under(work)
    if left:
        raise EngineError(f"still mounted, not deleting {work}: {left}")
    shutil.rmtree(work, ignore_errors=True)
