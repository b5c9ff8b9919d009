#!/usr/bin/env python3
"""repo-service against a real SSH remote (Debian's OpenSSH server on
loopback): it clones and pushes with its key when the server's host key is
in --ssh_known_hosts, and refuses, writing nothing, when the key differs or
the host is not listed (libgit2 1.5 checks no host key by itself).

Needs openssh-server and to run as root outside Bazel's sandbox (sshd wants
/run/sshd); it skips, saying so, only where sshd is not installed or
/run/sshd cannot be made. An sshd that starts and dies fails the test.
"""
import getpass
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import unittest

RUNFILES = os.path.join(os.environ.get("TEST_SRCDIR", "."), os.environ.get("TEST_WORKSPACE", "jobtracker"))
REPO_SERVICE = os.path.join(RUNFILES, "services/repo_service/repo-service")
GEN = os.path.join(RUNFILES, "tools/gen_tracking_repo.py")
GRPC_CALL = os.path.join(RUNFILES, "tools/grpc_call.py")
SSHD = "/usr/sbin/sshd"
# A real ed25519 key that is not this server's.
OTHER_KEY = "AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SshRemoteTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sshd = None
        cls.tmp = tempfile.mkdtemp(prefix="ssh-remote-")
        if not os.path.exists(SSHD):
            raise unittest.SkipTest("openssh-server is not installed (tools/install_deps.sh installs it)")
        try:
            os.makedirs("/run/sshd", exist_ok=True)
        except OSError as e:
            raise unittest.SkipTest(f"sshd needs /run/sshd, which cannot be made here ({e})")
        t = cls.tmp
        for name in ("host_key", "client_key"):
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", f"{t}/{name}"], check=True)
        shutil.copy(f"{t}/client_key.pub", f"{t}/authorized_keys")
        os.chmod(f"{t}/authorized_keys", 0o600)
        cls.port = free_port()
        with open(f"{t}/sshd_config", "w") as f:
            f.write(f"Port {cls.port}\nListenAddress 127.0.0.1\nHostKey {t}/host_key\n"
                    f"AuthorizedKeysFile {t}/authorized_keys\nPidFile {t}/sshd.pid\n"
                    "UsePAM no\nStrictModes no\nPasswordAuthentication no\n"
                    "PermitRootLogin prohibit-password\n")
        cls.sshd = subprocess.Popen([SSHD, "-D", "-e", "-f", f"{t}/sshd_config"],
                                    stdout=subprocess.DEVNULL, stderr=open(f"{t}/sshd.log", "w"))
        # sshd is installed and may run here: from now on, an sshd that dies
        # or never listens is a failure, never a skip.
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", cls.port), timeout=0.2).close()
                break
            except OSError:
                if cls.sshd.poll() is not None:
                    raise RuntimeError(f"sshd exited with {cls.sshd.returncode}: "
                                       + open(f"{t}/sshd.log").read())
                time.sleep(0.05)
        else:
            raise RuntimeError("sshd did not listen within 5 s: " + open(f"{t}/sshd.log").read())
        with open(f"{t}/host_key.pub") as f:
            kind, key = f.read().split()[:2]
        cls.known_hosts = f"{t}/known_hosts"
        with open(cls.known_hosts, "w") as f:
            f.write(f"# ssh-keyscan -p {cls.port} 127.0.0.1\n[127.0.0.1]:{cls.port} {kind} {key}\n")
        subprocess.run(["python3", GEN, f"{t}/remote.git", "--jobs", "6", "--studies", "1"],
                       check=True, stdout=subprocess.DEVNULL)
        cls.url = f"ssh://{getpass.getuser()}@127.0.0.1:{cls.port}{t}/remote.git"

    @classmethod
    def tearDownClass(cls):
        if cls.sshd:
            cls.sshd.terminate()
            cls.sshd.wait()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def repo_service(self, clone, known_hosts, *extra):
        return [REPO_SERVICE, f"--repo={self.tmp}/{clone}", f"--remote={self.url}",
                f"--ssh_key={self.tmp}/client_key", f"--ssh_pubkey={self.tmp}/client_key.pub",
                f"--ssh_known_hosts={known_hosts}", "--insecure_plaintext", *extra]

    def write_known_hosts(self, name, text):
        path = f"{self.tmp}/{name}"
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_clones_when_the_host_key_is_known(self):
        r = subprocess.run(self.repo_service("clone-ok.git", self.known_hosts, "--check"),
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(os.path.isdir(f"{self.tmp}/clone-ok.git/refs"))

    def test_refuses_another_host_key_and_writes_nothing(self):
        wrong = self.write_known_hosts("wrong", f"[127.0.0.1]:{self.port} ssh-ed25519 {OTHER_KEY}\n")
        r = subprocess.run(self.repo_service("clone-wrong.git", wrong, "--check"),
                           capture_output=True, text=True)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("its host key is not the one known_hosts lists", r.stderr)
        self.assertNotIn("client_key", r.stderr.replace(f"{self.tmp}/client_key", ""))
        self.assertFalse(os.path.exists(f"{self.tmp}/clone-wrong.git"))

    def test_refuses_a_host_known_only_on_another_port(self):
        other = self.write_known_hosts("other-port", open(self.known_hosts).read().replace(
            f"]:{self.port} ", "]:2222 "))
        r = subprocess.run(self.repo_service("clone-port.git", other, "--check"),
                           capture_output=True, text=True)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn(f"[127.0.0.1]:{self.port}: it is not in known_hosts", r.stderr)

    def test_works_without_home(self):
        # Containers may run with HOME unset; libgit2 needs one to go on.
        env = {k: v for k, v in os.environ.items() if k != "HOME"}
        r = subprocess.run(self.repo_service("clone-nohome.git", self.known_hosts, "--check"),
                           capture_output=True, text=True, env=env)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_pushes_over_ssh(self):
        port_file = f"{self.tmp}/push.port"
        proc = subprocess.Popen(self.repo_service("clone-push.git", self.known_hosts,
                                                  "--listen=127.0.0.1:0", f"--port_file={port_file}"),
                                stdout=subprocess.DEVNULL, stderr=open(f"{self.tmp}/push.log", "w"))
        try:
            for _ in range(300):
                if os.path.exists(port_file) and open(port_file).read().strip():
                    break
                time.sleep(0.05)
            addr = "127.0.0.1:" + open(port_file).read().strip()

            def call(method, body):
                r = subprocess.run(["/usr/bin/python3", GRPC_CALL, addr, method, json.dumps(body)],
                                   capture_output=True, text=True)
                self.assertEqual(r.returncode, 0, r.stderr)
                return json.loads(r.stdout)

            jobs = call("tracker.v1.RepoService/ListJobs", {"states": ["JOB_STATE_BACKLOG"]})["jobs"]
            written = call("tracker.v1.RepoService/TransitionJobs", {"transitions": [{
                "key": jobs[0]["key"], "from_state": "JOB_STATE_BACKLOG", "to_state": "JOB_STATE_FAILED"}]})
            pushed = call("tracker.v1.RepoService/Push", {"branch": "scheduler"})
            self.assertEqual(pushed["commit"], written["commit"])
            remote_tip = subprocess.run(["git", "--git-dir", f"{self.tmp}/remote.git", "rev-parse", "scheduler"],
                                        capture_output=True, text=True).stdout.strip()
            self.assertEqual(remote_tip, written["commit"])
        finally:
            proc.terminate()
            proc.wait()


if __name__ == "__main__":
    unittest.main()
