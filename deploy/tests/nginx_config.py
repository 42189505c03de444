"""deploy/nginx-site.conf made runnable here: the production file with local paths and ports.

Only what differs between a host and this machine is replaced (upstream addresses, listen
ports, certificate, webroot, static and media directories), each replacement checked to
have matched. Debian 12 ships nginx 1.22, older than the `http2 on;` directive (1.25.1)
that production's nginx image uses; on such an nginx the same setting is spelled the old
way (`listen ... ssl http2`).

``python nginx_config.py --check [SITE_CONF]`` runs ``nginx -t`` on it with throwaway
certificates (the deploy nox session does).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

SITE_CONF = Path(__file__).resolve().parents[1] / "nginx-site.conf"


def nginx_version(nginx: str = "nginx") -> tuple[int, ...]:
    result = subprocess.run([nginx, "-v"], capture_output=True, text=True, check=True)
    match = re.search(r"nginx/(\d+)\.(\d+)\.(\d+)", result.stderr + result.stdout)
    assert match, result.stderr
    return tuple(int(part) for part in match.groups())


def make_certificate(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec",
            "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
            "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout", str(directory / "privkey.pem"),
            "-out", str(directory / "fullchain.pem"),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip


@dataclass
class Layout:
    """Where things are on this machine."""

    root: Path  # a scratch directory: config, logs, temp files, certificate
    http_port: int
    https_port: int
    upstreams: list[int]
    static_root: Path
    media_root: Path
    # Daphne's WebSocket ports (webN:8001), in the order of ``upstreams``; empty: the same
    # ports as ``upstreams`` (everything served by one server per instance).
    ws_upstreams: list[int] = field(default_factory=list)

    @property
    def certs(self) -> Path:
        return self.root / "certs"

    @property
    def webroot(self) -> Path:
        return self.root / "certbot"


def _replace(text: str, old: str, new: str) -> str:
    if old not in text:
        raise AssertionError(f"nginx-site.conf no longer contains {old!r}: update nginx_config.py")
    return text.replace(old, new)


def render_site(text: str, layout: Layout, version: tuple[int, ...]) -> str:
    ws_upstreams = layout.ws_upstreams or layout.upstreams
    for app_port, ports in ((8000, layout.upstreams), (8001, ws_upstreams)):
        servers = re.findall(rf"server web\d+:{app_port}\b", text)
        if len(servers) < 2 or len(servers) != len(ports):
            raise AssertionError(f"expected {len(ports)} upstream servers, not {servers}")
        for server, port in zip(servers, ports, strict=True):
            text = _replace(text, server, f"server 127.0.0.1:{port}")
    return localise(text, layout, version)


def localise(text: str, layout: Layout, version: tuple[int, ...]) -> str:
    """Everything but the upstream servers made local (the HTTP benchmark sets those)."""
    text = _replace(text, "    listen [::]:80;\n", "")
    text = _replace(text, "    listen [::]:443 ssl;\n", "")
    text = _replace(text, "listen 80;", f"listen 127.0.0.1:{layout.http_port};")
    ssl_listen = f"listen 127.0.0.1:{layout.https_port} ssl"
    if version < (1, 25, 1):
        text = _replace(text, "    http2 on;\n", "")
        ssl_listen += " http2"
    text = _replace(text, "listen 443 ssl;", ssl_listen + ";")
    text = _replace(text, "/etc/letsencrypt/live/teammoa/", f"{layout.certs}/")
    text = _replace(text, "root /var/www/certbot;", f"root {layout.webroot};")
    text = _replace(text, "/var/www/teammoa/static/", f"{layout.static_root}/")
    text = _replace(text, "/var/www/teammoa/media/", f"{layout.media_root}/")
    text = text.replace("/var/log/nginx/", f"{layout.root}/logs/")
    return text


def write_config(
    layout: Layout,
    site_text: str | None = None,
    nginx: str = "nginx",
    *,
    rendered: str | None = None,
    workers: int = 1,
) -> Path:
    """Write nginx.conf (+ the rendered site file) under layout.root; return nginx.conf.

    ``rendered`` is a site file already made local (the HTTP benchmark writes its own
    upstreams); ``workers`` is nginx's worker_processes.
    """
    root = layout.root
    for name in ("logs", "tmp"):
        (root / name).mkdir(parents=True, exist_ok=True)
    if not (layout.certs / "fullchain.pem").exists():
        make_certificate(layout.certs)
    layout.webroot.mkdir(parents=True, exist_ok=True)
    site_text = SITE_CONF.read_text() if site_text is None else site_text
    if rendered is None:
        rendered = render_site(site_text, layout, nginx_version(nginx))
    (root / "teammoa.conf").write_text(rendered)
    # Workers as root only where the master is root: they must read pytest's 0700 dirs.
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp = root / "tmp"
    (root / "nginx.conf").write_text(
        f"""{user}worker_processes {workers};
pid {root}/nginx.pid;
error_log {root}/logs/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {root}/logs/access.log;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {root}/teammoa.conf;
}}
"""
    )
    return root / "nginx.conf"


def nginx_command(conf: Path, *args: str, nginx: str = "nginx") -> list[str]:
    root = conf.parent
    return [nginx, "-p", str(root), "-e", str(root / "logs" / "error.log"), "-c", str(conf), *args]


def check(site_conf: Path = SITE_CONF) -> subprocess.CompletedProcess[str]:
    """``nginx -t`` on ``site_conf`` made local; the result, not an exception."""
    with tempfile.TemporaryDirectory(prefix="teammoa-nginx-") as scratch:
        root = Path(scratch)
        layout = Layout(root, 8080, 8443, [8001, 8002], root / "static", root / "media")
        for path in (layout.static_root, layout.media_root):
            path.mkdir()
        try:
            conf = write_config(layout, site_conf.read_text())
        except AssertionError as exc:
            return subprocess.CompletedProcess(["render"], 1, "", str(exc))
        return subprocess.run(nginx_command(conf, "-t"), capture_output=True, text=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="nginx -t on the site config, made local")
    parser.add_argument("--check", action="store_true", required=True)
    parser.add_argument("site_conf", nargs="?", type=Path, default=SITE_CONF)
    args = parser.parse_args(argv)
    if not shutil.which("nginx"):
        print("nginx is not installed", file=sys.stderr)
        return 2
    result = check(args.site_conf)
    sys.stderr.write(result.stdout + result.stderr)
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
