//! No input makes a parser panic: arbitrary bytes, and mutations of real inputs, through
//! the same entry points as the cargo-fuzz targets in fuzz/.

use djship::detect::fuzz;
use proptest::prelude::*;

/// Python-looking text: settings idioms glued together at random.
fn pythonish() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "import os\n",
        "import environ\n",
        "from .base import *\n",
        "from decouple import config\n",
        "env = environ.Env(DEBUG=(bool, False))\n",
        "X = os.environ['A']\n",
        "Y = os.getenv('B', 1)\n",
        "Z = env.db()\n",
        "D = {'default': {'ENGINE': 'x'}}\n",
        "D['default']['HOST'] = 'h'\n",
        "L = []\nL += ['a']\n",
        "P = Path(__file__).resolve().parents[9]\n",
        "Q = P / 'x'\n",
        "if X:\n    W = 1\nelse:\n    W = 2\n",
        "try:\n    from .local import *\nexcept ImportError:\n    pass\n",
        "S = f'{X}'\n",
        "T = [h for h in os.environ.get('H', '').split(',')]\n",
        "(",
        ")",
        "[",
        "'",
        "\"\"\"",
        "\\\n",
        "lambda: 0\n",
        "class C:\n    pass\n",
        "def f():\n    return os.environ['Z']\n",
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 1)\n",
        "X = config('A', default=None, cast=bool)\n",
        "\u{0}",
        "\u{feff}",
        "🐍 = 1\n",
        "Y or Z\n",
        "X == 'True'\n",
        "-1[0]\n",
        "a.b.c.d()\n",
    ]);
    prop::collection::vec(pieces, 0..40).prop_map(|v| v.concat())
}

fn requirementish() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "django",
        ">=",
        "==",
        "~=",
        "5.2",
        ".*",
        "[",
        "]",
        ",",
        ";",
        " python_version",
        " < ",
        "'3.10'",
        "@",
        " ",
        "git+https://x/y.git",
        "#egg=",
        "-e ",
        "-r ",
        "--hash=sha256:00",
        "\\\n",
        "\n",
        "^",
        "*",
        "extra",
    ]);
    prop::collection::vec(pieces, 0..20).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn settings_bytes(data in prop::collection::vec(any::<u8>(), 0..2000)) {
        fuzz::settings(&data);
    }

    #[test]
    fn settings_idioms(src in pythonish()) {
        fuzz::settings(src.as_bytes());
    }

    #[test]
    fn requirement_lines(line in requirementish()) {
        fuzz::requirement_line(line.as_bytes());
    }

    #[test]
    fn requirement_bytes(data in prop::collection::vec(any::<u8>(), 0..300)) {
        fuzz::requirement_line(&data);
    }

    #[test]
    fn env_files(data in prop::collection::vec(any::<u8>(), 0..500)) {
        fuzz::env_file(&data);
    }
}

fn dockerfileish() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "FROM python:3.12 AS b\n",
        "FROM b\n",
        "RUN pip install x \\\n",
        "# c\n",
        "  && y\n",
        "COPY --from=b /a /a\n",
        "COPY . .\n",
        "RUN <<EOF\n",
        "EOF\n",
        "<<-X",
        "CMD [\"a\", \"b\"]\n",
        "CMD [\n",
        "ENV A=1 B\n",
        "ARG\n",
        "USER\n",
        "# escape=`\n",
        "`\n",
        "\\",
        "\n",
        "--",
        "--mount=type=cache",
        "[",
        "\u{0}",
        "é",
    ]);
    prop::collection::vec(pieces, 0..40).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn dockerfiles(src in dockerfileish()) {
        fuzz::dockerfile(src.as_bytes());
    }

    #[test]
    fn dockerfile_bytes(data in prop::collection::vec(any::<u8>(), 0..1000)) {
        fuzz::dockerfile(&data);
    }
}

fn composeish() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "services:\n",
        "  web:\n",
        "  db:\n",
        "    image: postgres:16\n",
        "    build: .\n",
        "    build:\n      context: .\n      dockerfile: Dockerfile\n",
        "    ports: [\"5432:5432\"]\n",
        "    ports:\n      - 80\n      - target: 8000\n",
        "    command: celery -A proj worker\n",
        "    command: [\"gunicorn\", \"-b\", \"0.0.0.0:8000\"]\n",
        "    depends_on: [db]\n",
        "    depends_on:\n      db:\n        condition: service_started\n",
        "    environment:\n      - SECRET_KEY=x\n      DEBUG: 1\n",
        "    env_file: [.env, {path: .env.prod}]\n",
        "    volumes: [\".:/app\", {type: bind, source: ., target: /app}]\n",
        "    deploy: {replicas: 3, mode: global, restart_policy: {condition: none}}\n",
        "x-a: &a\n  restart: always\n",
        "    <<: *a\n",
        "    <<: [*a, *b]\n",
        "*a\n",
        "&b ",
        "version: '3'\n",
        "- ",
        ": ",
        "{",
        "}",
        "[",
        "\t",
        "\"",
        "é",
        "\u{0}",
        "---\n",
        "!!binary ",
        "? ",
    ]);
    prop::collection::vec(pieces, 0..40).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn compose_files(src in composeish()) {
        fuzz::compose(src.as_bytes());
    }

    #[test]
    fn compose_bytes(data in prop::collection::vec(any::<u8>(), 0..1000)) {
        fuzz::compose(&data);
    }
}

#[test]
fn compose_alias_bomb_is_refused_quickly() {
    // Nine levels of nine aliases would expand to 9^9 nodes.
    let mut s = String::from("a0: &a0 [x]\n");
    for i in 1..10 {
        let refs: Vec<String> = (0..9).map(|_| format!("*a{}", i - 1)).collect();
        s.push_str(&format!("a{i}: &a{i} [{}]\n", refs.join(", ")));
    }
    let t = std::time::Instant::now();
    fuzz::compose(s.as_bytes());
    assert!(t.elapsed() < std::time::Duration::from_secs(5));
    let src = djship::lint::source::Source::new("compose.yaml", s);
    let err = djship::lint::compose::parse(&src).unwrap_err();
    assert!(err.1.contains("alias"), "{err:?}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 60, ..ProptestConfig::default() })]

    #[test]
    fn whole_projects_of_arbitrary_files(src in pythonish(), req in requirementish()) {
        fuzz::dependency_files(src.as_bytes());
        fuzz::dependency_files(req.as_bytes());
    }
}
