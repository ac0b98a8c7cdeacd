#!/usr/bin/env python3
"""Checks deploy/kubernetes/ as an API server and a careful reader would.

1. Every resource the kustomization lists is valid against the Kubernetes
   API's schemas (kubernetes-validate, strict: unknown fields are errors).
2. The manifests agree with the configuration they carry: every listener of
   the ConfigMap's lienthong.toml ([hub] listen, [hub] http_listen,
   [web] listen, [admin] listen) has a named containerPort on the StatefulSet
   with its port number and a port on the `lienthong` Service that targets
   it; every probe names a port the container has; the liveness and
   readiness probes are HTTPS GETs of the admin listener's /healthz and
   /readyz.

Usage: check_kubernetes.py DIR [--config-out FILE]
  --config-out writes the ConfigMap's lienthong.toml to FILE, for the hub's
  own configuration check (tests/it/deploy.rs).
Prints each problem on its own line; exit status 1 when there is one.
"""

import sys
import tomllib
from pathlib import Path

import kubernetes_validate
import yaml

VERSION = "1.33.0"  # the oldest Kubernetes the README supports


def main():
    args = sys.argv[1:]
    if not args:
        sys.stderr.write(__doc__)
        return 2
    root = Path(args[0])
    config_out = args[args.index("--config-out") + 1] if "--config-out" in args else None
    problems = []
    kustomization = yaml.safe_load((root / "kustomization.yaml").read_text())
    resources = {}
    for name in kustomization.get("resources", []):
        path = root / name
        if not path.exists():
            problems.append(f"kustomization.yaml: resource {name} does not exist")
            continue
        for document in yaml.safe_load_all(path.read_text()):
            if document is None:
                continue
            where = f"{name}: {document.get('kind')}/{document.get('metadata', {}).get('name')}"
            try:
                kubernetes_validate.validate(document, VERSION, strict=True)
            except kubernetes_validate.ValidationError as error:
                problems.append(f"{where}: {error.message} (at {'.'.join(map(str, error.path))})")
            resources[(document.get("kind"), document["metadata"]["name"])] = document

    config_map = resources.get(("ConfigMap", "lienthong-config"))
    stateful_set = resources.get(("StatefulSet", "lienthong"))
    service = resources.get(("Service", "lienthong"))
    for label, found in [("ConfigMap lienthong-config", config_map),
                         ("StatefulSet lienthong", stateful_set),
                         ("Service lienthong", service)]:
        if found is None:
            problems.append(f"no {label} among the kustomization's resources")
    if problems or not (config_map and stateful_set and service):
        return report(problems)

    text = config_map["data"]["lienthong.toml"]
    if config_out:
        Path(config_out).write_text(text)
    config = tomllib.loads(text)
    listeners = {"[hub] listen": config["hub"].get("listen")}
    if "http_listen" in config["hub"]:
        listeners["[hub] http_listen"] = config["hub"]["http_listen"]
    if "web" in config:
        listeners["[web] listen"] = config["web"].get("listen")
    if "admin" in config:
        listeners["[admin] listen"] = config["admin"].get("listen")
    else:
        problems.append("configmap.yaml: lienthong.toml has no [admin] listen: the probes have nothing to ask")

    container = stateful_set["spec"]["template"]["spec"]["containers"][0]
    by_number = {p["containerPort"]: p.get("name") for p in container.get("ports", [])}
    names = {p.get("name") for p in container.get("ports", [])}
    service_targets = {p.get("targetPort") for p in service["spec"].get("ports", [])}
    for key, address in listeners.items():
        port = int(str(address).rsplit(":", 1)[1])
        name = by_number.get(port)
        if name is None:
            problems.append(f"statefulset.yaml: no containerPort {port} for the ConfigMap's {key} = {address!r}")
        elif name not in service_targets and port not in service_targets:
            problems.append(f"service.yaml: Service lienthong exposes no port for {key} (containerPort {name} {port})")
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        spec = container.get(probe)
        if spec is None:
            problems.append(f"statefulset.yaml: container has no {probe}")
            continue
        for kind in ("tcpSocket", "httpGet", "grpc"):
            if kind in spec:
                port = spec[kind].get("port")
                if port not in names and port not in by_number:
                    problems.append(f"statefulset.yaml: {probe} names port {port!r}, which the container does not have")
    admin_port = None
    if "admin" in config:
        admin_port = by_number.get(int(str(config["admin"]["listen"]).rsplit(":", 1)[1]))
    for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
        get = (container.get(probe) or {}).get("httpGet")
        if get is None:
            problems.append(f"statefulset.yaml: {probe} is not an httpGet of the admin listener")
            continue
        if get.get("path") != path or get.get("scheme") != "HTTPS" or get.get("port") != admin_port:
            problems.append(
                f"statefulset.yaml: {probe} must GET {path} over HTTPS on the admin port "
                f"({admin_port!r}), not {get.get('scheme')} {get.get('path')} on {get.get('port')!r}"
            )
    return report(problems)


def report(problems):
    for problem in problems:
        print(problem)
    if not problems:
        print("deploy/kubernetes: valid and consistent")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
