"""Start real app servers for tests: gunicorn exactly as the Dockerfile runs it."""

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
PROD_SECRET = "tests-only-production-like-key-9f8e7d6c5b4a39281706f5e4d3c2b1a0zyxw"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prod_env(**overrides) -> dict:
    """Production settings for servers a test starts. Without REDIS_URL they share a cache
    folder of their own, as the workers of one production server do."""
    import tempfile

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hub.settings.prod",
        "DJANGO_SECRET_KEY": PROD_SECRET,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_BEHIND_TLS_PROXY": "true",
        "GUNICORN_WORKERS": "2",
        "GUNICORN_ACCESS_LOG": "",
        "HUB_CACHE_DIR": tempfile.mkdtemp(prefix="hub-cache-"),
        # check_links would first try well-known sites on the internet; tests never do.
        "HUB_LINKCHECK_CANARY_URLS": "",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for the browser tests only
    env.pop("DATABASE_URL", None)
    env.update(overrides)
    return env


def manage(*args, env: dict, check=True) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=check,
        timeout=300,
    )


def get(url: str, headers: dict | None = None, timeout: float = 10):
    """GET a URL; returns (status, headers, body) for any status, never raising on 4xx/5xx."""
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@contextlib.contextmanager
def gunicorn(env: dict, port: int = 0):
    """Runs `gunicorn --config gunicorn.conf.py` (the Dockerfile's CMD) until the block ends.
    The test binds the listening socket itself and hands it to gunicorn, so no other process
    (tests run in parallel) can take the port between choosing it and using it."""
    import tempfile

    listener = socket.socket()
    listener.bind(("127.0.0.1", port))
    listener.listen(128)
    listener.set_inheritable(True)
    port = listener.getsockname()[1]
    env = {**env, "PORT": str(port), "GUNICORN_BIND": f"fd://{listener.fileno()}"}
    # A file, not a pipe: a pipe nobody reads fills up and blocks the workers' logging.
    log = tempfile.TemporaryFile()  # noqa: SIM115 (closed in the finally below)
    process = subprocess.Popen(
        [GUNICORN, "--config", "gunicorn.conf.py"],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        pass_fds=(listener.fileno(),),
    )
    listener.close()  # gunicorn holds it now
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if process.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"gunicorn exited: {log.read().decode()}")
            try:
                status, _, _ = get(f"{base}/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not start within 30 s")
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


class HttpSession:
    """A tiny browser for a server behind a TLS proxy: keeps cookies (even Secure ones) itself."""

    def __init__(self, base: str):
        self.base = base
        self.host = base.split("://", 1)[1]
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None):
        import http.client
        import urllib.parse
        from http.cookies import SimpleCookie

        connection = http.client.HTTPConnection(self.host, timeout=30)
        headers = {"X-Forwarded-Proto": "https", "Host": self.host}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"https://{self.host}"
            headers["Referer"] = f"https://{self.host}{path}"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        connection.close()
        return response.status, response.headers, content.decode("utf-8", "replace")

    def get(self, path: str):
        return self.request("GET", path)

    def post(self, path: str, form: dict):
        return self.request("POST", path, form)

    def csrf_token(self, path: str) -> str:
        import re

        _, _, html = self.get(path)
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
