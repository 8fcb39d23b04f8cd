"""Step 5 of scripts/check_k8s.py: run a variant's binary as its pod would,
in namespaces of its own, and call its probes."""

from __future__ import annotations

import base64
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path, PurePosixPath

from k8s_check import APP, ROOT, CheckError, check, log
from k8s_check.manifests import container_of, flag_values, one, port_of

# The address the probes and the scrape go to inside the pod's namespace: not
# the one-and-only loopback address, so that a server listening on 127.0.0.1
# alone fails here as it would fail the kubelet's probe to the pod IP.
POD_ADDRESS = "127.0.0.2"
# Shared libraries the distroless cc image provides (glibc and libgcc_s).
DISTROLESS_CC_LIBS = {
    "linux-vdso.so.1",
    "libc.so.6",
    "libm.so.6",
    "libgcc_s.so.1",
    "libpthread.so.0",
    "libdl.so.2",
    "librt.so.1",
    "ld-linux-x86-64.so.2",
    "ld-linux-aarch64.so.1",
}
# The environment the distroless image itself sets; a container runtime
# starts from it, adds the Dockerfile's ENV, then the container's own.
BASE_IMAGE_ENV = {
    "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "SSL_CERT_FILE": "/etc/ssl/certs/ca-certificates.crt",
}


def shared_libraries(binary: Path) -> list[Path]:
    out = subprocess.run(["ldd", str(binary)], capture_output=True, text=True, check=True).stdout
    libraries = []
    for line in out.splitlines():
        line = line.strip()
        name = line.split()[0]
        check(
            Path(name).name in DISTROLESS_CC_LIBS,
            f"the binary links {name}, which the distroless cc image lacks",
        )
        match = re.search(r"(/\S+) \(0x", line)
        if match:
            libraries.append(Path(match.group(1)))
    return libraries


def materialise_volumes(docs: list[dict], deployment: dict, where: Path) -> list[dict]:
    """Each mounted volume's content, written as the kubelet would write it."""
    volumes = {v["name"]: v for v in deployment["spec"]["template"]["spec"].get("volumes", [])}
    mounts = []
    for mount in container_of(deployment).get("volumeMounts", []):
        volume = volumes[mount["name"]]
        source = where / mount["name"]
        source.mkdir(parents=True)
        if "configMap" in volume:
            check("items" not in volume["configMap"], "configMap items are not supported here")
            cm = one(docs, "ConfigMap", volume["configMap"]["name"])
            for key, text in cm.get("data", {}).items():
                (source / key).write_text(text)
            for key, data in cm.get("binaryData", {}).items():
                (source / key).write_bytes(base64.b64decode(data))
            for file in source.iterdir():
                file.chmod(volume["configMap"].get("defaultMode", 0o644))
        else:
            check("emptyDir" in volume, f"volume {mount['name']}: only configMap and emptyDir here")
        source.chmod(0o755)
        mounts.append(
            {"path": mount["mountPath"], "source": str(source), "read_only": mount.get("readOnly", False)}
        )
    return mounts


def pod_root(where: Path, binary: Path, entrypoint: str, libraries: list[Path], mounts: list[dict]) -> Path:
    """A root filesystem with the binary at the image's entry point path and
    a mount point at each of `mounts`' paths (the image's model, volumes)."""
    root = where / "root"
    for path in [Path(entrypoint)] + libraries:
        copy = root / path.relative_to("/")
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(binary if str(path) == entrypoint else path, copy)
    for mount in mounts:
        (root / mount["path"].lstrip("/")).mkdir(parents=True, exist_ok=True)
    for directory in [root, *[p for p in root.rglob("*") if p.is_dir()]]:
        directory.chmod(0o755)
    return root


def run_pod(spec_file: Path) -> None:
    """Inside fresh namespaces (`unshare --mount --net --fork`): start and probe."""
    spec = json.loads(spec_file.read_text())
    root = spec["root"]
    grpcurl = spec["grpcurl"]

    def sh(*command: str) -> None:
        subprocess.run(command, check=True)

    sh("mount", "--make-rprivate", "/")
    sh("mount", "--bind", root, root)
    # The image's own files first, then the volumes over them, as a container
    # runtime layers them: a volume at a path above the model would hide it,
    # and the server would not start. Read-only whatever the root filesystem:
    # a write would reach the checkout's files, not a container's own layer.
    for image_file in spec["image_files"]:
        target = root + image_file["path"]
        sh("mount", "--bind", image_file["source"], target)
        sh("mount", "-o", "remount,bind,ro", target)
    for mount in spec["mounts"]:
        target = root + mount["path"]
        sh("mount", "--bind", mount["source"], target)
        if mount["read_only"]:
            sh("mount", "-o", "remount,bind,ro", target)
    if spec["read_only_root"]:
        sh("mount", "-o", "remount,bind,ro", root)
    sh("ip", "link", "set", "lo", "up")

    command = [shutil.which("setpriv") or "setpriv"]
    if spec["no_new_privs"]:
        command.append("--no-new-privs")
    command += [
        shutil.which("chroot") or "chroot",
        f"--userspec={spec['uid']}:{spec['gid']}",
        f"--groups={spec['gid']}",
        root,
    ] + spec["argv"]
    server = subprocess.Popen(
        command, env=spec["env"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert server.stdout is not None
        for line in server.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    output: list[str] = []

    def next_line(deadline: float) -> str | None:
        try:
            line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise CheckError(f"no log line in time; output so far:\n{''.join(output)}") from None
        if line is not None:
            output.append(line)
        return line

    try:
        # The server starts and logs "serving" within the startup probe's budget.
        deadline = time.monotonic() + spec["startup_budget"]
        serving = set()
        encoder = None
        table = None
        while serving != {"grpc", "metrics"}:
            line = next_line(deadline)
            if line is None:
                raise CheckError(f"the server exited ({server.wait()}):\n{''.join(output)}")
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                # A server that cannot start says why on standard error, in
                # plain text.
                raise CheckError(f"a log line is not JSON:\n{''.join(output)}") from None
            message = event.get("message", "")
            if message == "serving":
                serving.add("grpc")
            elif message.startswith("serving metrics"):
                serving.add("metrics")
            elif message == "sentence encoder loaded":
                encoder = event
            elif message == "static table loaded":
                table = event
        # The image's model, found through its ENV and loaded before serving
        # (so within the startup probe's budget).
        check(
            encoder is not None,
            f"the server started without the sentence encoder:\n{''.join(output)}",
        )
        check(
            encoder.get("dir") == spec["encoder"]["path"],
            f"the sentence encoder was loaded from {encoder.get('dir')}, not the image's "
            f"{spec['encoder']['path']}",
        )
        log(
            f"  sentence encoder loaded: {encoder.get('model')} from {encoder.get('dir')} "
            f"in {encoder.get('load_ms')} ms"
        )
        # The static table the image carries beside the model, which Embed's
        # EMBEDDING_MODEL_STATIC needs: loaded from there before serving.
        check(
            table is not None,
            f"the server started without the static table beside the model:\n{''.join(output)}",
        )
        check(
            table.get("model") == spec["encoder"]["static_name"],
            f"the static table loaded is {table.get('model')!r}, not {spec['encoder']['static_name']!r}",
        )
        log(f"  static table loaded: {table.get('model')} in {table.get('load_ms')} ms")
        # What the kernel says the process runs as.
        status = open(f"/proc/{server.pid}/status").read()
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        check(fields["Uid"].split()[0] == str(spec["uid"]), f"runs as uid {fields['Uid']}")
        check(int(fields["CapEff"], 16) == 0, f"has capabilities {fields['CapEff']}")
        if spec["no_new_privs"]:
            check(fields["NoNewPrivs"].strip() == "1", "no_new_privs is not set")

        for name, probe in spec["probes"].items():
            request = json.dumps({"service": probe["service"]})
            answer = subprocess.run(
                [
                    grpcurl,
                    "-plaintext",
                    "-max-time",
                    str(probe["timeout"]),
                    "-d",
                    request,
                    f"{POD_ADDRESS}:{probe['port']}",
                    "grpc.health.v1.Health/Check",
                ],
                capture_output=True,
                text=True,
            )
            check(answer.returncode == 0, f"{name} failed: {answer.stderr.strip()}")
            check(
                json.loads(answer.stdout).get("status") == "SERVING",
                f"{name} ({probe['service']!r}) answered {answer.stdout.strip()}",
            )
            log(f"  {name}: grpc.health.v1 Check {probe['service']!r} at :{probe['port']} -> SERVING")

        port, path = spec["metrics"]
        with urllib.request.urlopen(f"http://{POD_ADDRESS}:{port}{path}", timeout=5) as response:
            body = response.read().decode()
        check(
            response.status == 200 and "grpc_server_handled_total" in body,
            f"{path} on :{port} did not answer with the server's metrics",
        )
        check('grpc_method="Check"' in body, f"{path}: the probes' calls are not counted")
        # What the dashboard's and the rules' queries are checked against.
        Path(spec["metrics_out"]).write_text(body)
        log(f"  metrics: GET :{port}{path} -> 200, grpc_server_handled_total counts the probes")

        answer = subprocess.run(
            [
                grpcurl,
                "-plaintext",
                f"{POD_ADDRESS}:{spec['listen_port']}",
                "textanalysis.v1.TextAnalysisService/ListModels",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        listed = json.loads(answer.stdout)
        encoder_name = listed.get("encoder", {}).get("name")
        check(
            encoder_name == spec["encoder"]["name"],
            f"ListModels names the encoder {encoder_name!r}, not {spec['encoder']['name']!r}",
        )
        static_name = listed.get("staticEncoder", {}).get("name")
        check(
            static_name == spec["encoder"]["static_name"],
            f"ListModels names the static table {static_name!r}, not {spec['encoder']['static_name']!r}",
        )
        names = {m["name"] for m in listed.get("models", [])}
        if spec.get("expect_models"):
            check(
                set(spec["expect_models"]) <= names,
                f"ListModels has {sorted(names)}, not {spec['expect_models']}",
            )
            log(
                f"  ListModels: {sorted(names)} (models from the ConfigMap volume), encoder "
                f"{encoder_name}, static {static_name}"
            )
        else:
            log(f"  ListModels: {sorted(names)}, encoder {encoder_name}, static {static_name}")

        server.send_signal(signal.SIGTERM)
        try:
            code = server.wait(timeout=spec["stop_within"])
        except subprocess.TimeoutExpired:
            raise CheckError(f"still running {spec['stop_within']} s after SIGTERM") from None
        check(code == 0, f"exited with {code} after SIGTERM")
        while next_line(time.monotonic() + 5) is not None:
            pass
        for line in output:
            try:
                json.loads(line)
            except json.JSONDecodeError:
                raise CheckError(f"a log line is not JSON: {line!r}") from None
        log(f"  SIGTERM: exit 0; {len(output)} log lines, all JSON")
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


def pod_spec(
    name: str,
    work: Path,
    binary: Path,
    image: dict,
    libraries: list[Path],
    argv: list[str],
    env: dict[str, str],
    mounts: list[dict],
    read_only_root: bool,
    no_new_privs: bool,
    uid: int,
    gid: int,
    probes: dict,
    metrics: tuple,
    startup_budget: float,
    stop_within: float,
    listen_port: int,
    expect_models: list[str] | None = None,
) -> Path:
    where = work / "pods" / name
    where.mkdir(parents=True, exist_ok=True)
    # The model directory the image holds: the checkout's copy of the files
    # the model stage fetches, at the path the image's ENV names, with the
    # static table distilled beside them as the static stage distils it.
    image_files = [{"path": image["model_path"], "source": str(image["model_source"])}]
    root = pod_root(where, binary, image["entrypoint"][0], libraries, image_files + mounts)
    spec = {
        "root": str(root),
        "grpcurl": shutil.which("grpcurl"),
        "argv": argv,
        "env": {**BASE_IMAGE_ENV, **image["env"], "HOSTNAME": f"{APP}-check", **env},
        "image_files": image_files,
        "encoder": {
            "path": image["model_path"],
            "name": PurePosixPath(image["model_path"]).name,
            # The table is named after the encoder it was distilled from.
            "static_name": f"{PurePosixPath(image['model_path']).name}-static",
        },
        "mounts": mounts,
        "read_only_root": read_only_root,
        "no_new_privs": no_new_privs,
        "uid": uid,
        "gid": gid,
        "probes": probes,
        "metrics": list(metrics),
        "startup_budget": startup_budget,
        "stop_within": stop_within,
        "listen_port": listen_port,
        "expect_models": expect_models,
        "metrics_out": str(where / "metrics.txt"),
    }
    path = where / "pod.json"
    path.write_text(json.dumps(spec, indent=2))
    return path


def in_namespaces(spec: Path, what: str) -> None:
    log(f"{what}: started as its pod would start it")
    entry = ROOT / "scripts" / "check_k8s.py"
    result = subprocess.run(
        ["unshare", "--mount", "--net", "--fork", "--", sys.executable, str(entry), "pod", str(spec)]
    )
    check(result.returncode == 0, f"{what}: the pod check failed (above)")


def deployment_pod(
    variant: str,
    docs: list[dict],
    info: dict,
    work: Path,
    binary: Path,
    image: dict,
    libraries: list[Path],
    expect_models: list[str] | None = None,
) -> Path:
    deployment = info["deployment"]
    container = info["container"]
    pod = deployment["spec"]["template"]["spec"]
    check("command" not in container, f"{variant}: `command` would replace the image's entry point")
    args = container.get("args", image["cmd"])
    check(not any("$(" in a for a in args), f"{variant}: $(VAR) in args is not supported here")
    sc = {**pod.get("securityContext", {}), **container.get("securityContext", {})}
    mounts = materialise_volumes(docs, deployment, work / "pods" / variant / "volumes")
    probes = {}
    startup = info["probes"]["startupProbe"]
    for kind, probe in info["probes"].items():
        probes[kind] = {
            "port": probe["grpc"]["port"],
            "service": probe["grpc"].get("service", ""),
            "timeout": probe.get("timeoutSeconds", 1),
        }
    return pod_spec(
        variant,
        work,
        binary,
        image,
        libraries,
        argv=image["entrypoint"] + args,
        env=info["env"],
        mounts=mounts,
        read_only_root=sc.get("readOnlyRootFilesystem", False),
        no_new_privs=sc.get("allowPrivilegeEscalation", True) is False,
        uid=sc.get("runAsUser", image["uid"]),
        gid=sc.get("runAsGroup", image["gid"]),
        probes=probes,
        metrics=info["metrics"],
        startup_budget=startup.get("initialDelaySeconds", 0)
        + startup.get("periodSeconds", 10) * startup.get("failureThreshold", 3),
        stop_within=info["stop_within"],
        listen_port=port_of(flag_values(args)["listen"]),
        expect_models=expect_models,
    )


def models_example(work: Path, binary: Path) -> Path:
    """docs/deployment.md's way to add a model: an overlay merging a file into the
    textanalysis-models ConfigMap. The model is trained here from the
    project's own example texts."""
    overlay = work / "overlays" / "models-example"
    if overlay.exists():
        shutil.rmtree(overlay)
    overlay.mkdir(parents=True)
    subprocess.run(
        [
            str(binary),
            "train",
            "--input",
            str(ROOT / "examples/support/support.jsonl"),
            "--out",
            str(overlay / "support.tam"),
        ],
        check=True,
        capture_output=True,
    )
    base = os.path.relpath(ROOT / "k8s/base", overlay)
    (overlay / "kustomization.yaml").write_text(
        "apiVersion: kustomize.config.k8s.io/v1beta1\n"
        "kind: Kustomization\n"
        f"resources:\n  - {base}\n"
        "configMapGenerator:\n"
        "  - name: textanalysis-models\n"
        "    behavior: merge\n"
        "    files:\n      - support.tam\n"
    )
    return overlay
