//! The Kubernetes target: our own policies on the manifests `djship init --target k8s` writes
//! (parsed, for every project fixture and a few flag sets), and the real tools on them:
//! kustomize (kubectl's) builds the overlay, kubernetes-validate checks every manifest against
//! the pinned Kubernetes release's schemas in strict mode, checkov's Kubernetes checks pass
//! with the skips listed in tests/k8s-checkov-skips.txt (and docs/kubernetes.md).

mod common;

use common::*;
use djship::targets::k8s::{KUBERNETES_VERSION, OVERLAY, SECRET_FILE};
use saphyr::{LoadableYamlNode, Yaml};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;

/// `djship init --target k8s` with `args` on a copy of `project`.
fn init(project: &Path, args: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join(project.file_name().unwrap());
    copy_dir(project, &dir);
    let mut with_target = vec!["--target", "k8s"];
    with_target.extend(args);
    init_ok(&dir, &with_target);
    (tmp, dir)
}

/// The manifest files (not kustomizations) under k8s/base and k8s/data.
fn manifest_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for sub in ["k8s/base", "k8s/data"] {
        let Ok(entries) = std::fs::read_dir(dir.join(sub)) else {
            continue;
        };
        for e in entries {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "yaml")
                && p.file_name().is_some_and(|n| n != "kustomization.yaml")
            {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Every object of the manifests.
fn objects(dir: &Path) -> Vec<Value> {
    manifest_files(dir)
        .iter()
        .flat_map(|p| {
            Yaml::load_from_str(&read(p))
                .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
                .iter()
                .map(to_json)
                .filter(|v| !v.is_null())
                .collect::<Vec<_>>()
        })
        .collect()
}

fn find<'a>(objs: &'a [Value], kind: &str, name: &str) -> Option<&'a Value> {
    objs.iter()
        .find(|o| o["kind"] == kind && o["metadata"]["name"] == name)
}

/// The containers (init containers too) of a pod spec.
fn containers(pod: &Value) -> Vec<&Value> {
    ["initContainers", "containers"]
        .iter()
        .filter_map(|k| pod[k].as_array())
        .flatten()
        .collect()
}

struct Expect<'a> {
    probe_host: &'static str,
    tls: bool,
    /// The flags init was given (inspect reads the same plan with them).
    args: &'a [&'a str],
}

/// Our policies on one generated setup.
fn check_policies(case: &str, dir: &Path, expect: &Expect) {
    let plan = inspect_json(dir, expect.args)["plan"].clone();
    // The value given to a flag of init's.
    let flag = |name: &str| {
        expect
            .args
            .iter()
            .position(|a| *a == name)
            .and_then(|i| expect.args.get(i + 1).copied())
    };
    let objs = objects(dir);
    let workloads: Vec<&Value> = objs
        .iter()
        .filter(|o| ["Deployment", "StatefulSet", "Job"].contains(&o["kind"].as_str().unwrap()))
        .collect();
    assert!(!workloads.is_empty(), "{case}: no workloads");

    // Every pod: non-root with a numeric user, RuntimeDefault seccomp; every container:
    // requests and limits, read-only root, no privilege escalation, no capabilities.
    for w in &workloads {
        let name = format!("{case}: {} {}", w["kind"], w["metadata"]["name"]);
        let pod = &w["spec"]["template"]["spec"];
        let sc = &pod["securityContext"];
        assert_eq!(sc["runAsNonRoot"], true, "{name}");
        assert!(sc["runAsUser"].as_u64().is_some_and(|u| u > 0), "{name}");
        assert!(sc["runAsGroup"].as_u64().is_some_and(|u| u > 0), "{name}");
        assert_eq!(sc["seccompProfile"]["type"], "RuntimeDefault", "{name}");
        assert_eq!(pod["automountServiceAccountToken"], false, "{name}");
        for c in containers(pod) {
            let cname = format!("{name} container {}", c["name"]);
            for k in ["requests", "limits"] {
                for r in ["cpu", "memory"] {
                    assert!(c["resources"][k][r].is_string(), "{cname}: {k}.{r}");
                }
            }
            let csc = &c["securityContext"];
            assert_eq!(csc["readOnlyRootFilesystem"], true, "{cname}");
            assert_eq!(csc["allowPrivilegeEscalation"], false, "{cname}");
            assert_eq!(csc["capabilities"]["drop"], json!(["ALL"]), "{cname}");
            // Migrations run in the Job only, never in an init container.
            if pod["initContainers"]
                .as_array()
                .is_some_and(|i| i.iter().any(|x| x == c))
            {
                assert!(!c.to_string().contains("migrate"), "{cname} runs migrate");
            }
        }
    }

    // The app's resources come from plan.deploy.resources.
    let res = &plan["deploy"]["resources"];
    let web = find(&objs, "Deployment", "web").expect("web Deployment");
    let web_pod = &web["spec"]["template"]["spec"];
    let web_c = web_pod["containers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "web")
        .unwrap();
    assert_eq!(web_c["resources"]["requests"]["cpu"], res["cpu_request"]);
    assert_eq!(web_c["resources"]["limits"]["memory"], res["memory_limit"]);

    // Web: three probes running docker/healthcheck.py, a request on loopback with an
    // allowed Host (an httpGet probe hits the pod IP, and a path answering 404 would keep the
    // pod unready forever); a grace period longer than the server's.
    for p in ["startupProbe", "readinessProbe", "livenessProbe"] {
        assert!(web_c[p]["httpGet"].is_null(), "{case}: {p}");
        assert_eq!(
            web_c[p]["exec"]["command"],
            json!(["python", "/app/docker/healthcheck.py"]),
            "{case}: {p}"
        );
    }
    let script = std::fs::read_to_string(dir.join("docker/healthcheck.py")).unwrap();
    assert!(script.contains("\"Host\": \"localhost\""), "{case}");
    let config = objs
        .iter()
        .find(|o| o["kind"] == "ConfigMap" && o["data"].is_object())
        .map(|c| c["data"].clone());
    if let Some(hosts) = config.as_ref().and_then(|d| {
        d.as_object()?
            .iter()
            .find(|(k, _)| k.ends_with("ALLOWED_HOSTS"))
            .map(|(_, v)| v.as_str().unwrap_or("").to_string())
    }) {
        assert!(
            hosts.split(',').any(|h| h == "localhost") && hosts.contains(expect.probe_host),
            "{case}: ALLOWED_HOSTS {hosts} lacks the probe's or the site's host"
        );
    }
    let grace = web_pod["terminationGracePeriodSeconds"].as_u64().unwrap();
    assert!(grace > 30, "{case}: web grace {grace}");

    // The autoscaler's Deployment has no replicas.
    let hpa = find(&objs, "HorizontalPodAutoscaler", "web").expect("HPA");
    let target = hpa["spec"]["scaleTargetRef"]["name"].as_str().unwrap();
    let scaled = find(&objs, "Deployment", target).expect("HPA target");
    assert!(scaled["spec"].get("replicas").is_none(), "{case}: replicas");
    assert_eq!(hpa["spec"]["minReplicas"], plan["deploy"]["replicas"]);
    assert_eq!(hpa["spec"]["maxReplicas"], plan["deploy"]["max_replicas"]);

    // Disruption budgets and network policies.
    assert!(
        find(&objs, "PodDisruptionBudget", "web").is_some(),
        "{case}"
    );
    assert!(
        find(&objs, "NetworkPolicy", "default-deny-ingress").is_some(),
        "{case}"
    );
    let np = find(&objs, "NetworkPolicy", "web-from-ingress").expect("web policy");
    // The controller's namespace: --ingress-namespace, else ingress-nginx's.
    let controller = flag("--ingress-namespace").unwrap_or("ingress-nginx");
    assert_eq!(
        np["spec"]["ingress"][0]["from"][0]["namespaceSelector"]["matchLabels"]
            ["kubernetes.io/metadata.name"],
        controller,
        "{case}: {np:#}"
    );
    let ingress = objs
        .iter()
        .find(|o| o["kind"] == "Ingress")
        .expect("an Ingress");
    match flag("--ingress-class") {
        Some(class) => assert_eq!(ingress["spec"]["ingressClassName"], class, "{case}"),
        None => assert!(ingress["spec"]["ingressClassName"].is_null(), "{case}"),
    }

    // The migration Job.
    let job = objs
        .iter()
        .find(|o| o["kind"] == "Job")
        .expect("migration Job");
    let js = &job["spec"];
    for k in [
        "backoffLimit",
        "ttlSecondsAfterFinished",
        "activeDeadlineSeconds",
    ] {
        assert!(js[k].is_u64(), "{case}: Job {k}");
    }
    assert!(js["template"]["spec"]["containers"][0]["args"]
        .to_string()
        .contains("migrate"));

    // No secret variable, and no secret value, in any committed file.
    let secret_vars: Vec<String> = plan["env"]["vars"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["secret"] == true)
        .map(|v| v["name"].as_str().unwrap().to_string())
        .collect();
    let config = find(&objs, "ConfigMap", "app-config").expect("ConfigMap");
    let data = config["data"].as_object().unwrap();
    for v in &secret_vars {
        assert!(!data.contains_key(v), "{case}: secret {v} in the ConfigMap");
    }
    assert_eq!(data["DJANGO_SETTINGS_MODULE"], plan["settings_production"]);
    if let Some(d) = plan["env"]["debug_var"].as_str() {
        assert_eq!(data[d], plan["env"]["debug_off"], "{case}: DEBUG");
    }
    let secret_file = dir.join(SECRET_FILE);
    let secrets = read(&secret_file);
    for line in secrets.lines().filter(|l| !l.starts_with('#')) {
        let (k, v) = line.split_once('=').unwrap();
        assert!(secret_vars.iter().any(|s| s == k), "{case}: {k} not secret");
        if v.len() >= 8 {
            for f in manifest_files(dir) {
                assert!(!read(&f).contains(v), "{case}: {k}'s value in {f:?}");
            }
        }
    }
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&secret_file)
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "{case}: secret file mode");
    assert!(read(&dir.join("k8s/.gitignore")).contains("overlays/*/secret.env"));
    assert!(read(&dir.join(".dockerignore")).lines().any(|l| l == "k8s"));

    // Ingress: a rule per host, TLS only when the Ingress terminates it.
    let ing = find(&objs, "Ingress", "web").expect("Ingress");
    let hosts: Vec<&Value> = plan["deploy"]["hosts"].as_array().unwrap().iter().collect();
    let rules = ing["spec"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), hosts.len(), "{case}: rules");
    assert_eq!(ing["spec"].get("tls").is_some(), expect.tls, "{case}: tls");

    // Celery: the worker's own probe, one beat that never overlaps.
    if plan["celery"].is_object() {
        let worker = find(&objs, "Deployment", "worker").expect("worker");
        let wc = &worker["spec"]["template"]["spec"]["containers"][0];
        for p in ["readinessProbe", "livenessProbe"] {
            let cmd = wc[p]["exec"]["command"].to_string();
            assert!(cmd.contains("inspect ping"), "{case}: worker {p}: {cmd}");
            assert_ne!(wc[p], web_c[p], "{case}: worker has web's probe");
        }
        let wg = worker["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]
            .as_u64()
            .unwrap();
        assert!(wg > 30, "{case}: worker grace {wg}");
        assert!(find(&objs, "PodDisruptionBudget", "worker").is_some());
        if plan["celery"]["beat"] == true {
            let beat = find(&objs, "Deployment", "beat").expect("beat");
            assert_eq!(beat["spec"]["replicas"], 1);
            assert_eq!(beat["spec"]["strategy"]["type"], "Recreate");
        }
    }

    // The database's network policy admits web, worker and the Job only.
    if let Some(db) = plan["database"]["service"].as_str() {
        let np = find(&objs, "NetworkPolicy", db).expect("database policy");
        let allowed =
            &np["spec"]["ingress"][0]["from"][0]["podSelector"]["matchExpressions"][0]["values"];
        assert_eq!(allowed, &json!(["web", "worker", "migrate"]), "{case}");
    }
}

#[test]
fn policies_on_every_fixture() {
    let mut checked = 0;
    for name in PROJECT_FIXTURES {
        let (_t, dir) = init(&fixtures().join(name), &[]);
        check_policies(
            name,
            &dir,
            &Expect {
                probe_host: "localhost",
                tls: true,
                args: &[],
            },
        );
        checked += 1;
    }
    assert_eq!(checked, PROJECT_FIXTURES.len());
}

#[test]
fn policies_with_hosts_and_no_tls() {
    let args = [
        "--no-tls",
        "--host",
        "shop.example.com",
        "--host",
        "www.example.com",
        "--replicas",
        "3",
        "--ingress-class",
        "traefik",
        "--ingress-namespace",
        "kube-system",
    ];
    let (_t, dir) = init(&fixtures().join("split-settings-celery"), &args);
    check_policies(
        "celery --no-tls",
        &dir,
        &Expect {
            probe_host: "shop.example.com",
            tls: false,
            args: &args,
        },
    );
}

#[test]
fn policies_on_startproject() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(project) = startproject(tmp.path(), "mysite") else {
        return;
    };
    let (_t, dir) = init(&project, &[]);
    check_policies(
        "startproject",
        &dir,
        &Expect {
            probe_host: "localhost",
            tls: true,
            args: &[],
        },
    );
}

/// The checks checkov skips: the first word of each line of tests/k8s-checkov-skips.txt
/// (the rest is the reason, also in docs/kubernetes.md).
fn checkov_skips() -> Vec<String> {
    let text = read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/k8s-checkov-skips.txt"));
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| l.split_whitespace().next().unwrap().to_string())
        .collect()
}

#[test]
fn checkov_skips_are_documented() {
    let docs = read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/kubernetes.md"));
    let skips = checkov_skips();
    assert!(!skips.is_empty());
    for s in skips {
        assert!(
            docs.contains(&s),
            "{s} is skipped but not in docs/kubernetes.md"
        );
    }
}

/// kustomize builds the overlay; every manifest (the files and the built overlay) passes
/// kubernetes-validate in strict mode for the pinned release, and checkov.
fn validate(case: &str, dir: &Path) {
    let (Some(kubectl), Some(validator), Some(checkov)) = (
        tool("kubectl"),
        tool("kubernetes-validate"),
        tool("checkov"),
    ) else {
        return;
    };
    let (ok, built) = run(Command::new(&kubectl)
        .args(["kustomize"])
        .arg(dir.join(OVERLAY)));
    assert!(ok, "{case}: kustomize build failed: {built}");
    assert!(built.contains("kind: Secret"), "{case}: no Secret built");
    assert!(
        built.contains("name: migrate-v1"),
        "{case}: Job not named by tag"
    );
    let out = dir.join("k8s-built.yaml");
    std::fs::write(&out, &built).unwrap();

    let mut files = manifest_files(dir);
    files.push(out.clone());
    let (ok, text) = run(Command::new(&validator)
        .args([
            "--strict",
            "--quiet",
            "--kubernetes-version",
            KUBERNETES_VERSION,
        ])
        .args(&files));
    assert!(
        ok,
        "{case}: kubernetes-validate {KUBERNETES_VERSION}:\n{text}"
    );

    let (ok, text) = run(Command::new(&checkov)
        .args(["--framework", "kubernetes", "--quiet", "--compact"])
        .args(["--skip-check", &checkov_skips().join(",")])
        .arg("-f")
        .arg(&out));
    assert!(ok, "{case}: checkov:\n{text}");
}

#[test]
fn validators_pass() {
    let cases: &[(&str, &[&str])] = &[
        ("split-settings-celery", &[]),
        (
            "split-settings-celery",
            &[
                "--no-tls",
                "--host",
                "shop.example.com",
                "--ingress-class",
                "traefik",
            ],
        ),
        ("poetry-mysql", &[]),
        ("uv-channels", &["--host", "203.0.113.7"]),
    ];
    for (name, args) in cases {
        let (_t, dir) = init(&fixtures().join(name), args);
        validate(&format!("{name} {args:?}"), &dir);
    }
}

/// The nginx ConfigMap's nginx.conf passes `nginx -t` (this machine's nginx, with the pid
/// file moved to a temporary folder), for every project fixture and a fresh startproject.
#[test]
fn nginx_configmap_passes_nginx_t() {
    let Some(nginx) = tool("nginx") else { return };
    let tmp = tempfile::tempdir().unwrap();
    let mut projects: Vec<PathBuf> = PROJECT_FIXTURES
        .iter()
        .map(|n| fixtures().join(n))
        .collect();
    if let Some(p) = startproject(tmp.path(), "mysite") {
        projects.push(p);
    }
    for project in projects {
        let (_t, dir) = init(&project, &[]);
        let objs = objects(&dir);
        let cm = find(&objs, "ConfigMap", "nginx").expect("the nginx ConfigMap");
        let conf = cm["data"]["nginx.conf"]
            .as_str()
            .expect("nginx.conf in the ConfigMap");
        assert!(
            conf.contains("access_log /dev/stdout djship_json;"),
            "{conf}"
        );
        assert!(conf.contains("proxy_set_header X-Request-ID $djship_request_id;"));
        let file = dir.join("nginx-test.conf");
        let pid = dir.join("nginx.pid");
        std::fs::write(
            &file,
            conf.replace("pid /tmp/nginx.pid;", &format!("pid {};", pid.display())),
        )
        .unwrap();
        let (ok, out) = run(Command::new(&nginx).arg("-t").arg("-c").arg(&file));
        assert!(
            ok,
            "nginx -t on {}'s ConfigMap:\n{out}\n{conf}",
            project.display()
        );
    }
}
