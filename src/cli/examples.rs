//! The examples every command's `--help` ends with. A test parses each line that starts
//! with `djship` (tests below), so an example that no longer parses fails the build's tests.

pub const INSPECT: &str = "\
Examples:
  djship inspect                      the project in this folder
  djship inspect ../shop --json       the facts and plan as JSON (docs/inspect-json.md)
  djship inspect --target k8s --host shop.example.com";

pub const INIT: &str = "\
Examples:
  djship init --dry-run               show every file it would write, as a diff
  djship init                         compose files for development and production
  djship init --patch-settings        also read SECRET_KEY, DEBUG, hosts and the database from the environment
  djship init --target swarm --host shop.example.com --replicas 3
  djship init --target k8s --image ghcr.io/acme/shop --max-replicas 10
  djship init --force --no-tls        regenerate, for TLS ended at a load balancer
  djship init --ci github             also a GitHub Actions pipeline (gitlab, jenkins)
  djship init --monitoring            Prometheus, exporters, alerts and Grafana beside the production stack";

pub const BUILD: &str = "\
Examples:
  djship build                        build the image, with live progress
  djship build ../shop --json         the steps, cache hits and size as JSON";

pub const DEPLOY: &str = "\
Examples:
  djship deploy swarm                 build, deploy the stack, wait until it converged
  djship deploy swarm --tag v2 --timeout 600
  djship deploy swarm --push          push the release to the registry the image names
  djship deploy swarm --no-build --tag v1 --json    deploy an image built before";

pub const UP: &str = "\
Examples:
  djship up                           the development stack (runserver, live code)
  djship up --prod                    the production stack behind nginx over HTTPS
  djship up --prod --scale 3          three web replicas behind nginx";

pub const DOWN: &str = "\
Examples:
  djship down                         stop the development stack, keep its data
  djship down --prod -v               stop the production stack and delete its volumes";

pub const VERIFY: &str = "\
Examples:
  djship verify                       build, start, check, tear down; exit 1 on a failed check
  djship verify --json                the checks as JSON
  djship verify --keep                leave the stack running to look at it";

pub const MANAGE: &str = "\
Examples:
  djship manage -- createsuperuser
  djship manage --prod -- migrate --plan
  djship manage ../shop -- showmigrations";

pub const SHELL: &str = "\
Examples:
  djship shell                        Django's shell in the development web container
  djship shell --prod";

pub const DOCTOR: &str = "\
Examples:
  djship doctor                       the development stack: what is wrong, and the remedy
  djship doctor --prod                the production stack
  djship doctor ../shop --prod --json   the findings as JSON (docs/doctor.md)";

pub const LOGS: &str = "\
Examples:
  djship logs                         every service's log
  djship logs --prod --service web -f   follow the production web service";

pub const LINT: &str = "\
Examples:
  djship lint                         every Dockerfile, compose file and settings module here
  djship lint Dockerfile compose.yaml
  djship lint --format sarif          for GitHub code scanning
  djship lint --select DL3008,DJS001 --fail-on warning
  djship lint --diff                  show the fixes as a diff, change nothing
  djship lint --fix                   apply the safe fixes";

pub const RULE: &str = "\
Examples:
  djship rule                         list the rules
  djship rule DJS001                  one rule's documentation";

pub const COMPLETIONS: &str = "\
Examples:
  djship completions bash > ~/.local/share/bash-completion/completions/djship
  djship completions zsh > ~/.zfunc/_djship
  djship completions fish > ~/.config/fish/completions/djship.fish";
