//! No input makes a parser panic: arbitrary bytes, and mutations of real inputs, through
//! the same entry points as the cargo-fuzz targets in fuzz/. A panic that djship contains
//! (a dependency's, caught where it is called) still counts: its message would reach the
//! user's terminal, and the fuzzer reports it as a crash too. Fuzzing itself is not run in
//! CI (docs/fuzzing.md); these tests are.

mod common;
use djship::fuzz;
use proptest::prelude::*;
use std::cell::Cell;

thread_local! {
    static PANICS: Cell<usize> = const { Cell::new(0) };
}

/// Run `f` and fail if anything panicked inside it, caught or not. A panic hook that counts
/// the panics of its own thread (tests run in parallel threads) and then behaves as before.
fn no_panic(what: &[u8], f: impl FnOnce(&[u8])) {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            PANICS.with(|c| c.set(c.get() + 1));
            previous(info)
        }));
    });
    // djship's own hook (djship::contain) keeps quiet about the panics it contains, and
    // counts them.
    let count = || PANICS.with(Cell::get) + djship::contain::caught();
    let before = count();
    f(what);
    let after = count();
    assert_eq!(
        before,
        after,
        "a panic (caught or not) on {:?}",
        String::from_utf8_lossy(what)
    );
}

/// `cases` random inputs, after the failures saved in tests/no_panic.proptest-regressions
/// (the file beside this one: proptest's default looks for a lib.rs, which a test has not).
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: Some(Box::new(
            proptest::test_runner::FileFailurePersistence::WithSource("proptest-regressions"),
        )),
        ..ProptestConfig::default()
    }
}

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
    #![proptest_config(config(300))]

    #[test]
    fn settings_bytes(data in prop::collection::vec(any::<u8>(), 0..2000)) {
        no_panic(&data, fuzz::settings);
    }

    #[test]
    fn settings_idioms(src in pythonish()) {
        no_panic(src.as_bytes(), fuzz::settings);
    }

    #[test]
    fn requirement_lines(line in requirementish()) {
        no_panic(line.as_bytes(), fuzz::requirement_line);
    }

    #[test]
    fn requirement_bytes(data in prop::collection::vec(any::<u8>(), 0..300)) {
        no_panic(&data, fuzz::requirement_line);
    }

    #[test]
    fn env_files(data in prop::collection::vec(any::<u8>(), 0..500)) {
        no_panic(&data, fuzz::env_file);
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
    #![proptest_config(config(300))]

    #[test]
    fn dockerfiles(src in dockerfileish()) {
        no_panic(src.as_bytes(), fuzz::dockerfile);
    }

    #[test]
    fn dockerfile_bytes(data in prop::collection::vec(any::<u8>(), 0..1000)) {
        no_panic(&data, fuzz::dockerfile);
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
    #![proptest_config(config(300))]

    #[test]
    fn compose_files(src in composeish()) {
        no_panic(src.as_bytes(), fuzz::compose);
    }

    #[test]
    fn compose_bytes(data in prop::collection::vec(any::<u8>(), 0..1000)) {
        no_panic(&data, fuzz::compose);
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
    no_panic(s.as_bytes(), fuzz::compose);
    assert!(t.elapsed() < std::time::Duration::from_secs(5));
    let src = djship::lint::source::Source::new("compose.yaml", s);
    let err = djship::lint::compose::parse(&src).unwrap_err();
    assert!(err.1.contains("alias"), "{err:?}");
}

proptest! {
    #![proptest_config(config(60))]

    #[test]
    fn whole_projects_of_arbitrary_files(src in pythonish(), req in requirementish()) {
        no_panic(src.as_bytes(), fuzz::dependency_files);
        no_panic(req.as_bytes(), fuzz::dependency_files);
    }

    #[test]
    fn frontends_of_arbitrary_files(text in frontendish()) {
        no_panic(text.as_bytes(), fuzz::frontend);
    }
}

/// package.json-, lockfile- and config-looking text glued together at random.
fn frontendish() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "{\"name\": \"app\", ",
        "\"scripts\": {\"build\": \"vite build\", \"dev\": \"vite\"}, ",
        "\"scripts\": {\"build\": \"webpack --mode production\"}, ",
        "\"engines\": {\"node\": \">=18 <21\"}, ",
        "\"packageManager\": \"pnpm@9.1.0\", ",
        "\"workspaces\": [\"packages/*\"], ",
        "\"devDependencies\": {\"vite\": \"^5\"}",
        "}\n",
        "lockfileVersion: '9.0'\n",
        "# yarn lockfile v1\n",
        "\"lockfileVersion\": 3,\n",
        "outDir: '../static/dist',\n",
        "output: { path: path.resolve(__dirname, 'dist') },\n",
        "v20.11.1\n",
        "lts/iron\n",
        "FROM node:20 AS assets\nRUN npm ci && npm run build\n",
        "\u{0}\u{feff}é\"\\",
        "[",
        "{",
    ]);
    prop::collection::vec(pieces, 0..24).prop_map(|v| v.concat())
}

/// Inputs the fuzzers found that made a parser panic (docs/fuzzing.md), each through the
/// entry point that found it. Named by target so a new find goes beside its kind.
type Target = fn(&[u8]);
const FOUND: &[(&str, Target, &str)] = &[
    // pep508_rs: an extra whose name ends in `.`, `-` or `_` fails ExtraName's own check.
    ("requirement_line", fuzz::requirement_line, "A[P.-"),
    (
        "requirement_line",
        fuzz::requirement_line,
        "XkmJm[m-_X__\n\u{8}",
    ),
    ("requirement_line", fuzz::requirement_line, "a [b, c_ ]"),
    // pep508_rs: a package name that ends in `.` (the version pasted as a name).
    ("requirement_line", fuzz::requirement_line, "5.2.*"),
    ("dependency_files", fuzz::dependency_files, "A[P.-"),
    // pep508_rs: a non-ASCII character in a marker's string (its cursor slices bytes).
    (
        "requirement_line",
        fuzz::requirement_line,
        "x-A;\"\u{fffd}\"~=';\"\u{fffd}\"~='\u{fffd}\"",
    ),
    (
        "requirement_line",
        fuzz::requirement_line,
        "a; python_version == \"é\"",
    ),
    // djship: the Python version's reader sliced a Dockerfile line's first five bytes to
    // look for FROM, inside a character (a comment `# ééé`).
    ("frontend", fuzz::frontend, "\0\u{feff}é\"\\"),
    (
        "dependency_files",
        fuzz::dependency_files,
        "\0\u{feff}é\"\\",
    ),
    (
        "dependency_files",
        fuzz::dependency_files,
        "# ééé\nFROM python:3.12-slim\n",
    ),
];

#[test]
fn inputs_the_fuzzers_found_do_not_panic() {
    for (target, f, input) in FOUND {
        eprintln!("{target}: {input:?}");
        no_panic(input.as_bytes(), f);
    }
}

#[test]
fn a_marker_with_non_ascii_text_is_an_error() {
    let err = fuzz::requirement_error("a; python_version == \"é\"").unwrap_or_default();
    assert!(err.contains("non-ASCII"), "{err}");
    // The near miss: an ASCII marker is parsed.
    assert_eq!(
        fuzz::requirement_error("a; python_version >= \"3.8\""),
        None
    );
}

#[test]
fn invalid_extra_names_are_an_error_naming_the_extra() {
    for line in ["A[P.-", "a[ok,b_]", "a [ x- ] >= 1"] {
        let err = fuzz::requirement_error(line).unwrap_or_default();
        assert!(err.contains("is not an extra name"), "{line}: {err}");
    }
    // The near miss: inner `.`, `-`, `_` are valid, and so are empty extras.
    for line in ["a[b.c-d_e]", "a[ x , y ]>=1", "a[]"] {
        assert_eq!(fuzz::requirement_error(line), None, "{line}");
    }
}

#[test]
fn a_requirement_that_crashed_the_parser_is_a_warning_with_file_and_line() {
    let tmp = tempfile::tempdir().unwrap();
    // Not the temporary folder itself: its name starts with a dot, which djship skips.
    let dir = &tmp.path().join("project");
    std::fs::create_dir(dir).unwrap();
    std::fs::write(
        dir.join("manage.py"),
        "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site1.settings')\n",
    )
    .unwrap();
    std::fs::create_dir(dir.join("site1")).unwrap();
    std::fs::write(dir.join("site1/__init__.py"), "").unwrap();
    std::fs::write(
        dir.join("site1/settings.py"),
        "DEBUG = False\nINSTALLED_APPS = []\n",
    )
    .unwrap();
    std::fs::write(dir.join("requirements.txt"), "django>=5.2\nA[P.-\n").unwrap();
    let out = common::djship().arg("inspect").arg(dir).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        err.contains("warning: requirements.txt:2: not a valid PEP 508 requirement")
            && err.contains("\"P.-\" is not an extra name"),
        "{err}"
    );
}
