//! Reading Python files without running them.
//!
//! Files are parsed with Ruff's parser (error tolerant), then the top-level statements of
//! settings modules are *interpreted abstractly*: literal values, paths built from
//! `__file__`, and reads of the environment are tracked; everything else becomes
//! [`Value::Unknown`]. No project code is ever executed.

use super::evidence::{Evidence, Warning};
use ruff_python_ast::{self as ast, BoolOp, Expr, Number, Operator, PySourceType, Stmt};
use ruff_python_parser::parse_unchecked_source;
use ruff_source_file::LineIndex;
use ruff_text_size::{Ranged, TextSize};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

/// A parsed Python file.
pub struct PyFile {
    /// Path relative to the project root, `/`-separated.
    pub rel: String,
    pub source: String,
    index: LineIndex,
    pub body: Vec<Stmt>,
    /// The first syntax error, if any: the parser recovers and the rest is still read.
    pub syntax_error: Option<Warning>,
}

impl PyFile {
    pub fn parse(rel: &str, source: String) -> PyFile {
        let index = LineIndex::from_source_text(&source);
        let Some(parsed) =
            crate::contain::contain(|| parse_unchecked_source(&source, PySourceType::Python))
        else {
            return PyFile {
                rel: rel.to_string(),
                syntax_error: Some(Warning {
                    evidence: Evidence::file(rel),
                    message: "the Python parser failed on this file".into(),
                    fallback: "read nothing from it; facts from this file are missing".into(),
                }),
                source,
                index,
                body: Vec::new(),
            };
        };
        let syntax_error = parsed.errors().first().map(|e| Warning {
            evidence: Evidence::at(
                rel,
                index.line_index(e.location.start()).get() as u32,
            ),
            message: format!("Python syntax error: {}", e.error),
            fallback: "read the statements the parser could recover; facts from this file may be incomplete".into(),
        });
        let body = parsed.into_syntax().body.into_iter().collect();
        PyFile {
            rel: rel.to_string(),
            source,
            index,
            body,
            syntax_error,
        }
    }

    pub fn line(&self, offset: TextSize) -> u32 {
        self.index.line_index(offset).get() as u32
    }

    pub fn evidence(&self, node: &impl Ranged) -> Evidence {
        Evidence::at(&self.rel, self.line(node.start()))
    }

    pub fn text(&self, node: &impl Ranged) -> &str {
        self.source
            .get(node.range().start().to_usize()..node.range().end().to_usize())
            .unwrap_or("")
    }
}

mod call;
mod expr;
mod stmt;
mod value;

pub use expr::*;
pub use value::*;

/// Loads modules for `from x import *`.
pub trait Loader {
    /// Resolve `module` (with `level` leading dots) as imported from `from_file`.
    fn load(&mut self, module: &str, level: u32, from_file: &str) -> Option<Rc<PyFile>>;
    /// Whether the module would come from the project itself (so a failed import of it
    /// means the file is not there), rather than from an installed package.
    fn is_project_module(&self, _module: &str, _level: u32, _from_file: &str) -> bool {
        false
    }
    /// A file of the project by its path relative to the root (`exec(open(path).read())`).
    fn load_file(&mut self, _rel: &str) -> Option<Rc<PyFile>> {
        None
    }
    /// Whether a path relative to the project root exists; `None` when it cannot be told
    /// (outside the project).
    fn exists(&self, _rel: &str) -> Option<bool> {
        None
    }
}

/// A function defined in the project, with the file it is in.
pub(super) struct Function {
    file: Rc<PyFile>,
    def: ast::StmtFunctionDef,
}

/// Abstract interpreter over module-level statements.
pub struct Interp<'l> {
    pub ns: BTreeMap<String, Binding>,
    pub env_reads: Vec<EnvRead>,
    /// Defaults declared in `environ.Env(NAME=(type, default))`.
    environ_scheme: HashMap<String, String>,
    /// Files interpreted, in order.
    pub files: Vec<String>,
    loader: &'l mut dyn Loader,
    /// Inside an `if`/`try` body: a read there fails only when that branch runs.
    conditional: u32,
    /// The files being interpreted (innermost last), for functions defined in them.
    stack: Vec<Rc<PyFile>>,
    functions: HashMap<String, Rc<Function>>,
    /// Inside a function call: the value returned, once a `return` ran.
    returned: Option<Value>,
    /// Returns taken on some paths only, with their conditions.
    partial_returns: Vec<Arm>,
    call_depth: u32,
    /// A star import of a project module failed inside the current `try`.
    import_failed: bool,
}

pub(super) const MAX_IMPORT_DEPTH: usize = 16;
pub(super) const MAX_CALL_DEPTH: u32 = 6;
/// Past this many nodes a choice is not built: the branches are taken in order instead.
pub(super) const MAX_CHOICE_SIZE: usize = 512;

/// What `locals()` / `globals()` evaluate to at module level.
pub(super) const NAMESPACE: &str = "<settings namespace>";

/// Commands that run tests: a server or a management command in the image is none of them.
pub(super) const TEST_ARGV: &[&str] =
    &["test", "pytest", "jenkins", "behave", "harvest", "py.test"];

impl<'l> Interp<'l> {
    pub fn new(loader: &'l mut dyn Loader) -> Self {
        Interp {
            ns: BTreeMap::new(),
            env_reads: Vec::new(),
            environ_scheme: HashMap::new(),
            files: Vec::new(),
            loader,
            conditional: 0,
            stack: Vec::new(),
            functions: HashMap::new(),
            returned: None,
            partial_returns: Vec::new(),
            call_depth: 0,
            import_failed: false,
        }
    }

    pub fn get(&self, name: &str) -> Option<&Binding> {
        self.ns.get(name)
    }

    /// Interpret a whole module in the current namespace.
    pub fn exec_file(&mut self, file: &Rc<PyFile>) {
        if self.files.len() > MAX_IMPORT_DEPTH * 4 || self.files.iter().any(|f| f == &file.rel) {
            return;
        }
        self.files.push(file.rel.clone());
        self.stack.push(file.clone());
        self.exec_block(file, &file.body);
        self.stack.pop();
    }

    fn exec_block(&mut self, f: &PyFile, body: &[Stmt]) {
        for stmt in body {
            if self.returned.is_some() {
                return;
            }
            self.exec(f, stmt);
        }
    }

    fn bind(&mut self, f: &PyFile, name: &str, value: Value, at: &impl Ranged) {
        self.ns.insert(
            name.to_string(),
            Binding {
                value,
                evidence: f.evidence(at),
            },
        );
    }
}

/// Find `os.environ.setdefault("DJANGO_SETTINGS_MODULE", "x.y")` (or an assignment to
/// `os.environ["DJANGO_SETTINGS_MODULE"]`) anywhere in a file, at any depth.
pub fn settings_module_default(file: &PyFile) -> Option<(String, Evidence)> {
    use ruff_python_ast::visitor::{walk_expr, walk_stmt, Visitor};
    struct V<'a> {
        file: &'a PyFile,
        found: Option<(String, Evidence)>,
    }
    impl<'a> Visitor<'a> for V<'a> {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            if let Stmt::Assign(a) = stmt {
                if let (Some(Expr::Subscript(s)), Expr::StringLiteral(v)) =
                    (a.targets.first(), a.value.as_ref())
                {
                    if matches!(s.slice.as_ref(), Expr::StringLiteral(k) if k.value.to_str() == "DJANGO_SETTINGS_MODULE")
                        && self.found.is_none()
                    {
                        self.found = Some((v.value.to_str().to_string(), self.file.evidence(stmt)));
                    }
                }
            }
            walk_stmt(self, stmt);
        }
        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Expr::Call(c) = expr {
                if let Expr::Attribute(a) = c.func.as_ref() {
                    if a.attr.id.as_str() == "setdefault" {
                        if let [Expr::StringLiteral(k), Expr::StringLiteral(v), ..] =
                            &c.arguments.args[..]
                        {
                            if k.value.to_str() == "DJANGO_SETTINGS_MODULE" && self.found.is_none()
                            {
                                self.found =
                                    Some((v.value.to_str().to_string(), self.file.evidence(expr)));
                            }
                        }
                    }
                }
            }
            walk_expr(self, expr);
        }
    }
    let mut v = V { file, found: None };
    for s in &file.body {
        v.visit_stmt(s);
    }
    v.found
}

#[cfg(test)]
mod tests {
    use super::*;

    struct NoLoader;
    impl Loader for NoLoader {
        fn load(&mut self, _: &str, _: u32, _: &str) -> Option<Rc<PyFile>> {
            None
        }
    }

    fn run(src: &str) -> (BTreeMap<String, Binding>, Vec<EnvRead>) {
        let file = Rc::new(PyFile::parse("mysite/settings.py", src.to_string()));
        let mut loader = NoLoader;
        let mut i = Interp::new(&mut loader);
        i.exec_file(&file);
        (i.ns, i.env_reads)
    }

    #[test]
    fn base_dir_forms_resolve_to_project_root() {
        for src in [
            "from pathlib import Path\nBASE_DIR = Path(__file__).resolve().parent.parent\nS = BASE_DIR / 'static'",
            "import os\nBASE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))\nS = os.path.join(BASE_DIR, 'static')",
            "from pathlib import Path\nBASE_DIR = Path(__file__).resolve().parents[1]\nS = BASE_DIR / 'static'",
        ] {
            let (ns, _) = run(src);
            assert_eq!(ns["BASE_DIR"].value, Value::Path(String::new()), "{src}");
            assert_eq!(ns["S"].value, Value::Path("static".into()), "{src}");
        }
    }

    #[test]
    fn env_reads_of_every_api_are_found() {
        let (ns, reads) = run(r#"
import os
import environ
import dj_database_url
from decouple import config, Csv
env = environ.Env(DEBUG=(bool, False))
SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
DEBUG = env("DEBUG")
HOSTS = config("ALLOWED_HOSTS", default="localhost", cast=Csv())
X = os.getenv("X_VAR", "x")
Y = os.environ.get("Y_VAR") or "y"
DATABASES = {"default": dj_database_url.config(default="sqlite:///db.sqlite3")}
CACHES = {"default": env.cache("REDIS_URL")}
"#);
        let names: Vec<_> = reads.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "DJANGO_SECRET_KEY",
                "DEBUG",
                "ALLOWED_HOSTS",
                "X_VAR",
                "Y_VAR",
                "DATABASE_URL",
                "REDIS_URL"
            ]
        );
        assert!(reads[0].required);
        assert_eq!(reads[1].default.as_deref(), Some("False"));
        assert_eq!(reads[2].via, "python-decouple");
        assert_eq!(reads[4].default.as_deref(), Some("y"));
        assert_eq!(reads[5].url_of.as_deref(), Some("database"));
        assert_eq!(reads[6].url_of.as_deref(), Some("cache"));
        assert!(matches!(ns["SECRET_KEY"].value, Value::Env(_)));
        assert_eq!(ns["SECRET_KEY"].evidence.line, Some(7));
    }

    #[test]
    fn subscript_assignment_and_augmented_lists() {
        let (ns, _) = run("D = {'default': {'ENGINE': 'a'}}\nD['default']['ENGINE'] = 'b'\nL = ['x']\nL += ['y']\n");
        assert_eq!(
            ns["D"].value.get("default").unwrap().get("ENGINE"),
            Some(&Value::Str("b".into()))
        );
        assert_eq!(ns["L"].value.strings(), ["x", "y"]);
    }

    #[test]
    fn settings_module_default_is_found_in_main() {
        let f = PyFile::parse(
            "manage.py",
            "import os\ndef main():\n    os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings.local')\n".into(),
        );
        let (m, ev) = settings_module_default(&f).unwrap();
        assert_eq!(m, "config.settings.local");
        assert_eq!(ev.line, Some(3));
    }

    fn resolved(
        ns: &BTreeMap<String, Binding>,
        name: &str,
        assume: &[(&str, Option<&str>)],
    ) -> Value {
        let a: HashMap<String, Option<String>> = assume
            .iter()
            .map(|(k, v)| (k.to_string(), v.map(str::to_string)))
            .collect();
        ns[name].value.resolve(&a)
    }

    #[test]
    fn if_chains_on_an_environment_variable_become_choices() {
        let (ns, _) = run(r#"
import os
DB = "sqlite"
if os.getenv("DB") == "postgres":
    DB = "pg"
if os.getenv("DB") in ["mysql", "mariadb"]:
    DB = "my"
"#);
        assert_eq!(resolved(&ns, "DB", &[]), Value::Str("sqlite".into()));
        assert_eq!(
            resolved(&ns, "DB", &[("DB", Some("postgres"))]),
            Value::Str("pg".into())
        );
        assert_eq!(
            resolved(&ns, "DB", &[("DB", Some("mariadb"))]),
            Value::Str("my".into())
        );
        let alts = ns["DB"].value.alternatives();
        assert_eq!(alts.len(), 3, "{alts:?}");
        // The variable, the test and the value that selects each arm are kept.
        let c = alts
            .iter()
            .flat_map(|(c, _)| c.iter())
            .find(|c| c.var.as_deref() == Some("DB"))
            .unwrap();
        assert_eq!(c.selecting_value(), Some(Some("mysql".into())));
    }

    #[test]
    fn else_branches_truthiness_walrus_and_defaults() {
        let (ns, _) = run(r#"
import os
DOMAIN = os.getenv("DOMAIN", "example.com")
if v := os.getenv("ALLOWED_HOSTS"):
    ALLOWED_HOSTS = v.split(",")
else:
    ALLOWED_HOSTS = ["localhost"]
DEBUG = os.environ.get("DEBUG", "0") == "1"
if DEBUG:
    EXTRA = True
X = "a" if os.environ.get("FLAG") else "b"
"#);
        assert!(matches!(
            resolved(&ns, "ALLOWED_HOSTS", &[("ALLOWED_HOSTS", Some("x"))]),
            Value::Env(_)
        ));
        assert_eq!(resolved(&ns, "ALLOWED_HOSTS", &[]).strings(), ["localhost"]);
        assert!(!ns["ALLOWED_HOSTS"].value.env_reads().is_empty());
        // DEBUG defaults off: the branch is not taken; set, it is.
        assert_eq!(resolved(&ns, "EXTRA", &[]), Value::Undefined);
        assert_eq!(resolved(&ns, "X", &[]), Value::Str("b".into()));
        assert_eq!(
            resolved(&ns, "X", &[("FLAG", Some("1"))]),
            Value::Str("a".into())
        );
    }

    #[test]
    fn test_runner_branches_are_not_taken_under_a_server() {
        let (ns, _) = run("import sys
D = 'pg'
if 'test' in sys.argv:
    D = 'sqlite'
TESTING = 'test' in sys.argv
");
        assert_eq!(ns["D"].value, Value::Str("pg".into()));
        assert_eq!(ns["TESTING"].value, Value::Bool(false));
    }

    #[test]
    fn helper_functions_are_followed_with_their_arguments() {
        let (ns, reads) = run(r#"
import os
def get_list_from_env(name, default=""):
    value = os.getenv(name, default)
    if not value:
        return []
    return [x for x in value.split(",") if x]
ALLOWED_HOSTS = get_list_from_env("X_ALLOWED_HOSTS", "localhost")
"#);
        assert!(
            reads.iter().any(|r| r.name == "X_ALLOWED_HOSTS"),
            "{reads:?}"
        );
        let envs: Vec<_> = ns["ALLOWED_HOSTS"]
            .value
            .env_reads()
            .iter()
            .map(|r| r.name.clone())
            .collect();
        assert_eq!(envs, ["X_ALLOWED_HOSTS"]);
    }

    #[test]
    fn in_place_updates_and_missing_local_settings() {
        let (ns, _) = run(r#"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3"}}
DATABASES["default"].update({"ENGINE": "django.db.backends.postgresql", "HOST": "db"})
APPS = ["a"]
APPS.append("b")
APPS.extend(["c"])
APPS.insert(0, "z")
"#);
        let d = ns["DATABASES"].value.get("default").unwrap();
        assert_eq!(
            d.get("ENGINE"),
            Some(&Value::Str("django.db.backends.postgresql".into()))
        );
        assert_eq!(d.get("HOST"), Some(&Value::Str("db".into())));
        assert_eq!(ns["APPS"].value.strings(), ["z", "a", "b", "c"]);
    }

    #[test]
    fn names_tested_against_locals_are_known() {
        let (ns, _) =
            run("A = 1\nif 'A' in locals():\n    B = 2\nif 'Z' not in globals():\n    C = 3\n");
        assert_eq!(ns["B"].value, Value::Int(2));
        assert_eq!(ns["C"].value, Value::Int(3));
    }

    #[test]
    fn a_database_built_up_in_place_from_the_environment() {
        // shynet's pattern: an empty dict, the default taken with .get, then .update.
        let (ns, _) = run(r#"
import os
DATABASES = {}
DATABASES["default"] = DATABASES.get("default", {})
DATABASES["default"].update({"ENGINE": "django.db.backends.postgresql", "HOST": os.environ.get("DB_HOST")})
"#);
        let d = ns["DATABASES"].value.get("default").unwrap();
        assert_eq!(
            d.get("ENGINE"),
            Some(&Value::Str("django.db.backends.postgresql".into()))
        );
        assert!(matches!(d.get("HOST"), Some(Value::Env(_))));
    }

    #[test]
    fn bool_of_environment_text_is_marked() {
        let (ns, _) = run("import os
DEBUG = bool(os.environ.get('DEBUG', 0))
B = os.environ.get('B', False)
");
        let Value::Env(d) = &ns["DEBUG"].value else {
            panic!()
        };
        assert_eq!(d.cast, Cast::TextTruthiness);
        assert_eq!(d.default_value.as_deref(), Some(&Value::Int(0)));
        let Value::Env(b) = &ns["B"].value else {
            panic!()
        };
        assert_eq!(b.cast, Cast::Text);
    }

    #[test]
    fn syntax_errors_become_warnings_not_panics() {
        let f = PyFile::parse("s.py", "X = 1\nY = (\nZ = 2\n".into());
        assert!(f.syntax_error.is_some());
        assert_eq!(normalize("a/../../b"), "../b");
    }
}
