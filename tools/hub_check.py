"""A real JupyterHub, three students, the course pulled by its nbgitpuller link (`make hub-check`).

Usage: python tools/hub_check.py [--users N] [--keep]      (as root, with .venv-class: see below)

What a class on one server (The Littlest JupyterHub's set-up) does, run here for real:

1. the student copies are published as a git repository of their own (`publish_student`), the one
   an nbgitpuller link points at (docs/teaching.md, "Running the course for a class");
2. N system users are created with `useradd` (homes of mode 0700, as TLJH makes them) and a
   JupyterHub from PyPI starts with configurable-http-proxy from npm, the LocalProcessSpawner (each
   server runs as its own user) and the dummy authenticator with a shared password;
3. each student logs in through the hub's login form, starts a server, follows the nbgitpuller link
   (the repository lands in their home), and runs a student notebook through their own server's
   kernel API, cell by cell, in the notebook's folder: the English copy's first check answers
   "not answered yet" in English, the Japanese copy's in Japanese;
4. no student can read another's files (`runuser -u student1 -- cat /home/student2/...` fails).

Every process, user and folder it made is removed at the end, also when a step fails (`--keep`
leaves the hub running for a look). It prints one line per step and exits non-zero at the first
failure. It is its own target, not part of `make test`: it needs root, creates system users and
takes about a minute.

The hub's environment is `.venv-class` (the course's pins plus jupyterhub, nbgitpuller and
nbgrader: tools/class/requirements.txt), made by `python tools/course.py class-env`;
configurable-http-proxy is installed with npm into `.class-node/`.
"""

from __future__ import annotations

import argparse
import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv-class"
NODE_PREFIX = ROOT / ".class-node"
CHP_VERSION = "5.3.0"
PASSWORD = "snn-course"
USER_PREFIX = "snnstudent"


def say(step: str, detail: str = "") -> None:
    print(f"hub-check: {step}" + (f": {detail}" if detail else ""), flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_proxy() -> Path:
    """configurable-http-proxy from the npm registry, into .class-node/ (once)."""
    chp = NODE_PREFIX / "node_modules" / ".bin" / "configurable-http-proxy"
    if not chp.exists():
        say("installing configurable-http-proxy", f"npm, {CHP_VERSION}, into {NODE_PREFIX.name}/")
        subprocess.run(
            [
                "npm",
                "install",
                "--prefix",
                str(NODE_PREFIX),
                f"configurable-http-proxy@{CHP_VERSION}",
                "--no-audit",
                "--no-fund",
                "--loglevel=error",
            ],
            check=True,
        )
    return chp


def publish_student(dest: Path) -> Path:
    """Write the student copies (English and Japanese) into a new git repository at ``dest``.

    This is the repository an nbgitpuller link pulls: notebooks only, the library comes with the
    hub's environment. Returns the path of the bare repository, readable by every user.
    """
    work = dest / "work"
    subprocess.run(
        [sys.executable, str(ROOT / "tools" / "make_student.py"), "--out", str(work / "student")],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    (work / "README.md").write_text("Student copies of the SNN course, pulled by nbgitpuller.\n")
    git = ["git", "-c", "user.name=course", "-c", "user.email=course@localhost"]
    subprocess.run([*git, "init", "-q", "-b", "main", str(work)], check=True)
    subprocess.run([*git, "-C", str(work), "add", "."], check=True)
    subprocess.run([*git, "-C", str(work), "commit", "-q", "-m", "student copies"], check=True)
    bare = dest / "course-student"  # no .git suffix: nbgitpuller names the folder after the URL
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(bare)], check=True)
    for path in [dest, *dest.rglob("*")]:
        path.chmod(path.stat().st_mode | 0o055 if path.is_dir() else path.stat().st_mode | 0o044)
    return bare


def nbgitpuller_link(hub_url: str, repo: str, notebook: str, branch: str = "main") -> str:
    """The link a teacher hands out: pulls ``repo`` into the home folder and opens ``notebook``.

    ``notebook`` is a path inside the repository (``student/01_spike_function.ipynb``); the
    repository lands in a folder named after it (nbgitpuller's default), here ``course-student``.
    """
    from urllib.parse import quote, urlencode

    folder = Path(repo.rstrip("/")).name  # nbgitpuller keeps a .git suffix in the folder name
    query = urlencode(
        {"repo": repo, "branch": branch, "urlpath": f"lab/tree/{folder}/{notebook}"}, quote_via=quote
    )
    return f"{hub_url.rstrip('/')}/hub/user-redirect/git-pull?{query}"


def grant_traverse(path: Path) -> list[tuple[Path, int]]:
    """Let other users reach ``path`` (o+x on each parent that lacks it); returns what to restore.

    The hub's environment lives in this repository, and its Python may be installed under root's
    home (mode 0700 here); a real hub keeps both under /opt (TLJH: /opt/tljh/user). Only the
    execute (traverse) bit is added, never read, and it is put back at the end.
    """
    changed = []
    for parent in [path, *path.parents]:
        mode = parent.stat().st_mode
        if not mode & 0o001:
            changed.append((parent, mode))
            parent.chmod(mode | 0o001)
    return changed


def make_users(names: list[str]) -> list[str]:
    """Create system users ``names`` (removed first if left over), homes of mode 0700."""
    for name in names:
        remove_user(name)
        subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", name], check=True)
        Path(pwd.getpwnam(name).pw_dir).chmod(0o700)
    return names


def remove_user(name: str) -> None:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return
    subprocess.run(["pkill", "-KILL", "-u", name], check=False)
    time.sleep(0.2)
    subprocess.run(["userdel", "--remove", name], check=False, stderr=subprocess.DEVNULL)


def hub_config(folder: Path, port: int, chp: Path) -> Path:
    bin_dir = VENV / "bin"
    env = {
        "PATH": f"{bin_dir}:/usr/local/bin:/usr/bin:/bin",
        # the kernels were built once for everyone (postBuild does the same in an image)
        "SNN_HELPERS_KERNEL_WARN": "0",
    }
    config = f"""
c = get_config()  # noqa: F821
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {free_port()}
c.ConfigurableHTTPProxy.command = [{str(chp)!r}]
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{free_port()}"
c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = {PASSWORD!r}
c.Authenticator.allow_all = True
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [{str(bin_dir / "jupyterhub-singleuser")!r}]
c.Spawner.default_url = "/lab"
c.Spawner.environment = {env!r}
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
c.JupyterHub.db_url = "sqlite:///{folder / "jupyterhub.sqlite"}"
c.JupyterHub.cookie_secret_file = {str(folder / "cookie_secret")!r}
c.JupyterHub.pid_file = {str(folder / "jupyterhub.pid")!r}
"""
    path = folder / "jupyterhub_config.py"
    path.write_text(config)
    return path


class Student:
    """One student's browser session: the hub's cookies, then a token for their own server."""

    def __init__(self, hub: str, name: str) -> None:
        import requests

        self.hub, self.name = hub, name
        self.http = requests.Session()
        self.token = ""

    def login(self) -> None:
        page = self.http.get(f"{self.hub}/hub/login", timeout=30)
        xsrf = re.search(r'name="_xsrf" value="([^"]+)"', page.text)
        form = {"username": self.name, "password": PASSWORD, **({"_xsrf": xsrf.group(1)} if xsrf else {})}
        reply = self.http.post(f"{self.hub}/hub/login?next=", data=form, allow_redirects=False, timeout=30)
        if reply.status_code not in (302, 303) or "jupyterhub-session-id" not in self.http.cookies:
            raise RuntimeError(f"login of {self.name} answered {reply.status_code}")

    def api(self, method: str, path: str, **kw):
        xsrf = self.http.cookies.get("_xsrf", "")
        reply = self.http.request(
            method, f"{self.hub}/hub/api{path}", headers={"X-XSRFToken": xsrf}, timeout=60, **kw
        )
        reply.raise_for_status()
        return reply.json() if reply.content else None

    def start_server(self) -> None:
        xsrf = self.http.cookies.get("_xsrf", "")
        reply = self.http.post(
            f"{self.hub}/hub/api/users/{self.name}/server", headers={"X-XSRFToken": xsrf}, timeout=60
        )
        if reply.status_code not in (201, 202):
            raise RuntimeError(f"server of {self.name}: {reply.status_code} {reply.text[:200]}")
        for _ in range(240):
            if self.api("GET", f"/users/{self.name}")["servers"].get("", {}).get("ready"):
                break
            time.sleep(0.5)
        else:
            raise RuntimeError(f"the server of {self.name} did not become ready")
        self.token = self.api("POST", f"/users/{self.name}/tokens", json={"note": "hub-check"})["token"]

    def server(self, method: str, path: str, **kw):
        headers = {"Authorization": f"token {self.token}"}
        return self.http.request(
            method, f"{self.hub}/user/{self.name}{path}", headers=headers, timeout=300, **kw
        )

    def pull(self, link: str) -> None:
        """Follow the nbgitpuller link as a browser would: the page, then its event stream."""
        page = self.server("GET", link.split("/hub/user-redirect", 1)[1], allow_redirects=True)
        if page.status_code != 200:
            raise RuntimeError(f"nbgitpuller page: {page.status_code}")
        query = link.split("?", 1)[1]
        events = self.server("GET", f"/git-pull/api?{query}", stream=True)
        finished = False
        for line in events.iter_lines(decode_unicode=True):
            if line.startswith("data:"):
                event = json.loads(line[5:])
                if event.get("phase") == "error":
                    raise RuntimeError(f"nbgitpuller: {event.get('message', '')[:300]}")
                if event.get("phase") == "finished":
                    finished = True
                    break
        if not finished:
            raise RuntimeError("nbgitpuller's stream ended without 'finished'")

    def run_notebook(self, path: str) -> list[tuple[str, str]]:
        """Run the notebook's code cells in a kernel of the student's server, started in the
        notebook's folder (as JupyterLab does); stops at the first error. Returns (kind, text) per cell."""
        import nbformat
        import websocket

        contents = self.server("GET", f"/api/contents/{path}").json()
        nb = nbformat.reads(json.dumps(contents["content"]), as_version=4)
        session = self.server(
            "POST",
            "/api/sessions",
            json={"path": path, "type": "notebook", "name": Path(path).name, "kernel": {"name": "python3"}},
        ).json()
        kernel = session["kernel"]["id"]
        url = self.hub.replace("http", "ws", 1) + f"/user/{self.name}/api/kernels/{kernel}/channels"
        ws = websocket.create_connection(url, header=[f"Authorization: token {self.token}"], timeout=300)
        results = []
        try:
            for cell in nb.cells:
                if cell.cell_type != "code":
                    continue
                kind, text = execute(ws, cell.source, session["id"])
                results.append((kind, text))
                if kind == "error":
                    break
        finally:
            ws.close()
            self.server("DELETE", f"/api/sessions/{session['id']}")
        return results


def execute(ws, code: str, session: str) -> tuple[str, str]:
    """One execute_request over the kernel's websocket: ('ok' or 'error', the text it showed)."""
    msg_id = uuid.uuid4().hex
    ws.send(
        json.dumps(
            {
                "header": {
                    "msg_id": msg_id,
                    "username": "",
                    "session": session,
                    "msg_type": "execute_request",
                    "version": "5.3",
                    "date": "",
                },
                "parent_header": {},
                "metadata": {},
                "channel": "shell",
                "buffers": [],
                "content": {
                    "code": code,
                    "silent": False,
                    "store_history": True,
                    "user_expressions": {},
                    "allow_stdin": False,
                    "stop_on_error": True,
                },
            }
        )
    )
    kind, text = "ok", []
    while True:
        msg = json.loads(ws.recv())
        if msg.get("parent_header", {}).get("msg_id") != msg_id or msg.get("channel") != "iopub":
            continue
        content, mtype = msg["content"], msg["msg_type"]
        if mtype == "stream":
            text.append(content["text"])
        elif mtype in ("execute_result", "display_data"):
            text.append(content["data"].get("text/plain", ""))
        elif mtype == "error":
            kind = "error"
            text.append("\n".join(content.get("traceback", [])) or f"{content['ename']}: {content['evalue']}")
        elif mtype == "status" and content["execution_state"] == "idle":
            return kind, "".join(text)


def check_apart(names: list[str], file_in_home: str) -> None:
    for reader in names:
        for owner in names:
            if owner == reader:
                continue
            target = Path(pwd.getpwnam(owner).pw_dir) / file_in_home
            proc = subprocess.run(["runuser", "-u", reader, "--", "cat", str(target)], capture_output=True)
            if proc.returncode == 0:
                raise RuntimeError(f"{reader} could read {target}")
    say("files apart", f"none of {len(names)} students can read another's {file_in_home}")


ANSI = re.compile(r"\x1b\[[0-9;]*m")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="leave the hub running (stop it with Ctrl+C)")
    args = parser.parse_args(argv)
    if os.geteuid() != 0:
        print("hub-check: needs root (it creates system users, as The Littlest JupyterHub does)")
        return 2
    if not (VENV / "bin" / "jupyterhub").exists():
        print("hub-check: .venv-class is missing: run `python tools/course.py class-env` first")
        return 2
    chp = ensure_proxy()
    folder = Path(tempfile.mkdtemp(prefix="hub-check-"))
    folder.chmod(0o755)
    hub_proc = daemon = None
    names: list[str] = []
    base = Path(os.path.realpath(VENV / "bin" / "python")).parent
    restore = grant_traverse(base) + grant_traverse(ROOT)
    if restore:
        say("traverse", ", ".join(f"{p} o+x" for p, _ in restore) + " (restored at the end)")
    try:
        bare = publish_student(folder / "repo")
        git_port = free_port()
        daemon = subprocess.Popen(
            [
                "git",
                "daemon",
                "--export-all",
                f"--base-path={bare.parent}",
                "--reuseaddr",
                "--listen=127.0.0.1",
                f"--port={git_port}",
                str(bare.parent),
            ],
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        repo_url = f"git://127.0.0.1:{git_port}/{bare.name}"
        time.sleep(0.5)
        say("student repository", f"{repo_url} (git daemon on loopback: what the nbgitpuller link pulls)")
        names = make_users([f"{USER_PREFIX}{i}" for i in range(1, args.users + 1)])
        say("system users", ", ".join(names) + " (homes of mode 0700)")
        port = free_port()
        config = hub_config(folder, port, chp)
        env = {**os.environ, "PATH": f"{VENV / 'bin'}:{chp.parent}:{os.environ['PATH']}"}
        log = open(folder / "jupyterhub.log", "w")
        hub_proc = subprocess.Popen(
            [str(VENV / "bin" / "jupyterhub"), "-f", str(config)],
            cwd=folder,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        hub = f"http://127.0.0.1:{port}"
        import requests

        for _ in range(120):
            try:
                if requests.get(f"{hub}/hub/api", timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            time.sleep(0.5)
        else:
            raise RuntimeError("the hub did not start: see " + str(folder / "jupyterhub.log"))
        say("hub up", f"{hub} (jupyterhub, configurable-http-proxy, LocalProcessSpawner)")
        cases = {
            "student/01_spike_function.ipynb": "not answered yet",
            "student/ja/01_spike_function.ipynb": "まだ解答されていません",
        }
        for i, name in enumerate(names):
            student = Student(hub, name)
            student.login()
            student.start_server()
            notebook = list(cases)[i % len(cases)]
            link = nbgitpuller_link(hub, repo_url, notebook)
            student.pull(link)
            home = Path(pwd.getpwnam(name).pw_dir)
            owner = pwd.getpwuid((home / "course-student" / notebook).stat().st_uid).pw_name
            results = student.run_notebook(f"course-student/{notebook}")
            kind, text = results[-1]
            text = ANSI.sub("", text)
            ran = sum(k == "ok" for k, _ in results)
            if kind != "error" or cases[notebook] not in text.lower():
                raise RuntimeError(f"{name}: {notebook} ended {kind!r}: {text[-300:]}")
            say(
                f"{name}",
                f"logged in, server started, pulled by the link (files owned by {owner}), "
                f"ran {notebook}: {ran} cells, then its first check: {text.strip().splitlines()[0][:90]}",
            )
        check_apart(names, f"course-student/{list(cases)[0]}")
        if args.keep:
            say("kept", f"{hub} (user {names[0]}, password {PASSWORD}); Ctrl+C stops it")
            hub_proc.wait()
        say("passed")
        return 0
    except Exception as exc:  # one line, then the hub's log tail for the maintainer
        say("FAILED", str(exc))
        logfile = folder / "jupyterhub.log"
        if logfile.exists():
            print("".join(logfile.read_text().splitlines(keepends=True)[-25:]))
        return 1
    finally:
        if hub_proc is not None and hub_proc.poll() is None:
            os.killpg(hub_proc.pid, signal.SIGTERM)
            try:
                hub_proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(hub_proc.pid, signal.SIGKILL)
        if daemon is not None:
            os.killpg(daemon.pid, signal.SIGTERM)
        for name in names:
            remove_user(name)
        shutil.rmtree(folder, ignore_errors=True)
        for path, mode in restore:
            path.chmod(mode)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
