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
        let parsed = parse_unchecked_source(&source, PySourceType::Python);
        let index = LineIndex::from_source_text(&source);
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

/// How a value was read from the environment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EnvRead {
    pub name: String,
    /// The default, as Python source or literal text; `None` when there is none.
    pub default: Option<String>,
    /// True when reading fails without the variable (`os.environ["X"]`, `env("X")` without default).
    pub required: bool,
    /// Which API read it: `os.environ`, `django-environ`, `python-decouple`, `dj-database-url`.
    pub via: String,
    /// What the variable holds when it is a URL the API parses: `database` or `cache`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url_of: Option<String>,
    pub evidence: Evidence,
    /// The default as a value (`0`, `False`, `"*"`), when it is a literal.
    #[serde(skip)]
    pub default_value: Option<Box<Value>>,
    /// How the text read is turned into a value.
    #[serde(skip)]
    pub cast: Cast,
}

/// How an environment read turns the variable's text into a value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Cast {
    /// The text itself (`os.environ.get`, `config()` without `cast`).
    #[default]
    Text,
    /// Parsed as a boolean (`env.bool`, `config(cast=bool)`, `== "True"`).
    Bool,
    /// `bool(text)`: every non-empty text is true, `"False"` and `"0"` included.
    TextTruthiness,
    /// Parsed as a list or another type.
    Other,
}

/// What selects one arm of a [`Value::Choice`].
#[derive(Debug, Clone, PartialEq)]
pub struct Cond {
    /// The test as written (`os.getenv("DB") == "postgres"`), or `else`.
    pub text: String,
    pub evidence: Evidence,
    /// The environment variable the test reads, if it reads one.
    pub var: Option<String>,
    /// The variable's default at that read, as a value.
    pub default: Option<Box<Value>>,
    pub test: Test,
    /// `not (...)`.
    pub negated: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Test {
    /// The variable's text is one of these.
    OneOf(Vec<String>),
    /// The variable is set (`"X" in os.environ`).
    Set,
    /// The value read is true; `boolean` when the reader parses booleans.
    Truthy { boolean: bool },
    /// The else arm: none of the arms before it held.
    Otherwise,
    /// Known without the environment (`"test" in sys.argv` under a server is false).
    Const(bool),
    /// A test djship cannot evaluate.
    Unknown,
}

impl Cond {
    fn otherwise(evidence: Evidence) -> Cond {
        Cond {
            test: Test::Otherwise,
            ..Cond::unknown("else".into(), evidence)
        }
    }

    /// A test not yet analysed.
    fn unknown(text: String, evidence: Evidence) -> Cond {
        Cond {
            text,
            evidence,
            var: None,
            default: None,
            test: Test::Unknown,
            negated: false,
        }
    }

    /// `not <constant>` is a constant.
    fn fold_negation(&mut self) {
        if let Test::Const(b) = self.test {
            self.test = Test::Const(b != self.negated);
            self.negated = false;
        }
    }

    /// Whether the test holds when the environment has `assume` (a variable mapped to
    /// `None` is unset; a variable not in `assume` has its default). `None`: cannot tell.
    pub fn holds(&self, assume: &HashMap<String, Option<String>>) -> Option<bool> {
        let r = match &self.test {
            Test::Otherwise => return Some(true),
            Test::Const(b) => *b,
            Test::Unknown => return None,
            Test::Set => {
                let var = self.var.as_ref()?;
                matches!(assume.get(var), Some(Some(_)))
            }
            Test::OneOf(list) => {
                let var = self.var.as_ref()?;
                match assume.get(var) {
                    Some(Some(v)) => list.contains(v),
                    Some(None) => false,
                    None => match self.default.as_deref() {
                        Some(Value::Str(d)) => list.contains(d),
                        _ => false,
                    },
                }
            }
            Test::Truthy { boolean } => {
                let var = self.var.as_ref()?;
                match assume.get(var) {
                    Some(Some(v)) => {
                        if *boolean {
                            text_is_true(v)
                        } else {
                            !v.is_empty()
                        }
                    }
                    Some(None) => self.default.as_deref().is_some_and(|d| d.truthy(*boolean)),
                    None => self.default.as_deref().is_some_and(|d| d.truthy(*boolean)),
                }
            }
        };
        Some(r != self.negated)
    }

    /// A value of the variable that makes the test hold, when there is an obvious one.
    pub fn selecting_value(&self) -> Option<Option<String>> {
        match (&self.test, self.negated) {
            (Test::OneOf(l), false) => l.first().map(|v| Some(v.clone())),
            (Test::Set, false) | (Test::Truthy { .. }, false) => Some(Some("True".into())),
            (Test::Set, true) | (Test::Truthy { .. }, true) => Some(None),
            _ => None,
        }
    }
}

/// How django-environ and python-decouple read a boolean.
pub fn text_is_true(v: &str) -> bool {
    matches!(
        v.trim().to_ascii_lowercase().as_str(),
        "true" | "on" | "ok" | "y" | "yes" | "1" | "t"
    )
}

/// The arm Django takes: the first whose test holds. An arm whose test cannot be
/// evaluated and that binds a value wins over the arms after it, as if its test held
/// (what running the branches in order would give).
fn pick_arm<'a>(arms: &'a [Arm], assume: &HashMap<String, Option<String>>) -> Option<&'a Arm> {
    let mut unknown: Option<&Arm> = None;
    for a in arms {
        match a.cond.holds(assume) {
            Some(true) => return Some(unknown.unwrap_or(a)),
            Some(false) => {}
            None => {
                // An arm whose test and value are both beyond djship (`if os.path.isfile(v):
                // return open(v).read()`, a Docker-secrets helper) does not hide the path
                // after it that djship can read.
                if unknown.is_none() && !matches!(a.value, Value::Undefined | Value::Unknown(_)) {
                    unknown = Some(a);
                }
            }
        }
    }
    unknown
}

/// One arm of a [`Value::Choice`].
#[derive(Debug, Clone, PartialEq)]
pub struct Arm {
    pub cond: Cond,
    pub value: Value,
    /// Where this arm binds the value.
    pub evidence: Option<Evidence>,
}

/// The abstract value of a Python expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Str(String),
    Int(i64),
    Bool(bool),
    None,
    List(Vec<Value>),
    Dict(Vec<(String, Value)>),
    /// A filesystem path relative to the project root (`..` allowed), or absolute.
    Path(String),
    /// Comes from the environment.
    Env(Box<EnvRead>),
    /// A module or a name imported from one, by its dotted name.
    Module(String),
    /// A function defined in the project, by its key in the interpreter.
    Function(String),
    /// Different values on different paths through the settings (`if`/`elif`/`else`,
    /// conditional expressions), chosen when Django imports them.
    Choice(Vec<Arm>),
    /// Not bound on this path (an arm of a choice).
    Undefined,
    /// Anything else; holds the source text.
    Unknown(String),
}

impl Value {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Dict(items) => items.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
    pub fn strings(&self) -> Vec<String> {
        match self {
            Value::List(items) => items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        }
    }
    /// Short human text for reports.
    pub fn describe(&self) -> String {
        match self {
            Value::Str(s) => format!("{s:?}"),
            Value::Int(i) => i.to_string(),
            Value::Bool(b) => if *b { "True" } else { "False" }.into(),
            Value::None => "None".into(),
            Value::List(items) => format!(
                "[{}]",
                items
                    .iter()
                    .map(Value::describe)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Value::Dict(items) => format!(
                "{{{}}}",
                items
                    .iter()
                    .map(|(k, v)| format!("{k:?}: {}", v.describe()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Value::Path(p) => format!("<project>/{p}"),
            Value::Env(e) => format!("${}", e.name),
            Value::Module(m) => m.clone(),
            Value::Function(k) => format!("{}()", k.rsplit("::").next().unwrap_or(k)),
            Value::Choice(arms) => arms
                .iter()
                .map(|a| format!("{} if {}", a.value.describe(), a.cond.text))
                .collect::<Vec<_>>()
                .join(" / "),
            Value::Undefined => "(unset)".into(),
            Value::Unknown(s) => s.clone(),
        }
    }

    /// Python truthiness of a known value; `boolean`: a text is parsed as a boolean.
    pub fn truthy(&self, boolean: bool) -> bool {
        match self {
            Value::Str(s) => {
                if boolean {
                    text_is_true(s)
                } else {
                    !s.is_empty()
                }
            }
            Value::Int(i) => *i != 0,
            Value::Bool(b) => *b,
            Value::None | Value::Undefined => false,
            Value::List(l) => !l.is_empty(),
            Value::Dict(d) => !d.is_empty(),
            _ => true,
        }
    }

    /// Every environment read on any path through the value.
    pub fn env_reads(&self) -> Vec<&EnvRead> {
        let mut out = Vec::new();
        self.walk(&mut |v| {
            if let Value::Env(e) = v {
                out.push(e.as_ref());
            }
        });
        out
    }

    /// Every value on any path (leaves of choices, list items, dict values), self first.
    pub fn walk<'a>(&'a self, visit: &mut dyn FnMut(&'a Value)) {
        visit(self);
        match self {
            Value::List(items) => items.iter().for_each(|v| v.walk(visit)),
            Value::Dict(items) => items.iter().for_each(|(_, v)| v.walk(visit)),
            Value::Choice(arms) => arms.iter().for_each(|a| a.value.walk(visit)),
            _ => {}
        }
    }

    /// The leaves of a choice with the conditions leading to each (one leaf, no
    /// conditions, for a plain value).
    pub fn alternatives(&self) -> Vec<(Vec<&Cond>, &Value)> {
        match self {
            Value::Choice(arms) => arms
                .iter()
                .flat_map(|a| {
                    a.value.alternatives().into_iter().map(move |(mut c, v)| {
                        c.insert(0, &a.cond);
                        (c, v)
                    })
                })
                .collect(),
            v => vec![(Vec::new(), v)],
        }
    }

    /// The value Django gets when the environment has `assume` (see [`Cond::holds`]):
    /// the first arm whose test holds. Where a test cannot be evaluated, the last arm
    /// that binds a value is taken (the order Python would run them in, unconditionally).
    pub fn resolve(&self, assume: &HashMap<String, Option<String>>) -> Value {
        match self {
            Value::Choice(arms) => pick_arm(arms, assume)
                .map(|a| a.value.resolve(assume))
                .unwrap_or(Value::Undefined),
            Value::List(items) => Value::List(items.iter().map(|v| v.resolve(assume)).collect()),
            Value::Dict(items) => Value::Dict(
                items
                    .iter()
                    .map(|(k, v)| (k.clone(), v.resolve(assume)))
                    .filter(|(_, v)| !matches!(v, Value::Undefined))
                    .collect(),
            ),
            v => v.clone(),
        }
    }

    /// The evidence of the arm [`Value::resolve`] picks, when it is a choice.
    pub fn resolved_evidence(&self, assume: &HashMap<String, Option<String>>) -> Option<Evidence> {
        let Value::Choice(arms) = self else {
            return None;
        };
        let a = pick_arm(arms, assume)?;
        a.value.resolved_evidence(assume).or(a.evidence.clone())
    }

    fn size(&self) -> usize {
        let mut n = 0;
        self.walk(&mut |_| n += 1);
        n
    }
}

/// A name bound at module level, with where it was bound.
#[derive(Debug, Clone)]
pub struct Binding {
    pub value: Value,
    pub evidence: Evidence,
}

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
struct Function {
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

const MAX_IMPORT_DEPTH: usize = 16;
const MAX_CALL_DEPTH: u32 = 6;
/// Past this many nodes a choice is not built: the branches are taken in order instead.
const MAX_CHOICE_SIZE: usize = 512;

/// What `locals()` / `globals()` evaluate to at module level.
const NAMESPACE: &str = "<settings namespace>";

/// Commands that run tests: a server or a management command in the image is none of them.
const TEST_ARGV: &[&str] = &["test", "pytest", "jenkins", "behave", "harvest", "py.test"];

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

    fn exec(&mut self, f: &PyFile, stmt: &Stmt) {
        match stmt {
            Stmt::Assign(a) => {
                let value = self.eval(f, &a.value);
                for target in &a.targets {
                    self.assign(f, target, value.clone(), stmt);
                }
            }
            Stmt::AnnAssign(a) => {
                if let Some(v) = &a.value {
                    let value = self.eval(f, v);
                    self.assign(f, &a.target, value, stmt);
                }
            }
            Stmt::AugAssign(a) => {
                let rhs = self.eval(f, &a.value);
                if let Expr::Name(n) = a.target.as_ref() {
                    let old = self.ns.get(n.id.as_str()).map(|b| b.value.clone());
                    let new = match (old, a.op) {
                        (Some(old), Operator::Add) => add_values(old, rhs)
                            .unwrap_or_else(|| Value::Unknown(f.text(stmt).to_string())),
                        _ => Value::Unknown(f.text(stmt).to_string()),
                    };
                    self.bind(f, n.id.as_str(), new, stmt);
                }
            }
            Stmt::Import(i) => {
                for alias in &i.names {
                    let full = alias.name.id.as_str();
                    match &alias.asname {
                        Some(asname) => {
                            self.bind(f, asname.id.as_str(), Value::Module(full.into()), stmt)
                        }
                        None => {
                            let top = full.split('.').next().unwrap_or(full);
                            self.bind(f, top, Value::Module(top.into()), stmt)
                        }
                    }
                }
            }
            Stmt::ImportFrom(i) => {
                let module = i.module.as_ref().map(|m| m.id.as_str()).unwrap_or("");
                let mut source: Option<Option<Rc<PyFile>>> = None;
                for alias in &i.names {
                    let name = alias.name.id.as_str();
                    if name == "*" {
                        match self.loader.load(module, i.level, &f.rel) {
                            Some(file) => self.exec_file(&file),
                            None => {
                                if self.loader.is_project_module(module, i.level, &f.rel) {
                                    self.import_failed = true;
                                }
                            }
                        }
                        continue;
                    }
                    let bound = alias.asname.as_ref().map(|a| a.id.as_str()).unwrap_or(name);
                    // `from .base import env` after `from .base import *`: the name is
                    // already bound to what the module defines; keep that.
                    if alias.asname.is_none() && i.level > 0 && self.ns.contains_key(bound) {
                        continue;
                    }
                    // A function of the project's own modules: follow it when called.
                    let file = source
                        .get_or_insert_with(|| self.loader.load(module, i.level, &f.rel))
                        .clone();
                    if let Some(file) = file {
                        if let Some(def) = find_def(&file, name) {
                            let key = format!("{}::{name}", file.rel);
                            self.functions
                                .insert(key.clone(), Rc::new(Function { file, def }));
                            self.bind(f, bound, Value::Function(key), stmt);
                            continue;
                        }
                    }
                    let full = if module.is_empty() {
                        name.to_string()
                    } else {
                        format!("{module}.{name}")
                    };
                    self.bind(f, bound, Value::Module(full), stmt);
                }
            }
            Stmt::FunctionDef(d) => {
                if let Some(file) = self.stack.last().cloned() {
                    let key = format!("{}::{}", file.rel, d.name.id.as_str());
                    self.functions.insert(
                        key.clone(),
                        Rc::new(Function {
                            file,
                            def: d.clone(),
                        }),
                    );
                    self.bind(f, d.name.id.as_str(), Value::Function(key), stmt);
                }
            }
            Stmt::Return(r) => {
                let v = match &r.value {
                    Some(e) => self.eval(f, e),
                    None => Value::None,
                };
                self.returned = Some(v);
            }
            Stmt::If(s) => {
                let mut branches: Vec<(Option<&Expr>, &[Stmt])> = vec![(Some(&*s.test), &s.body)];
                for clause in &s.elif_else_clauses {
                    branches.push((clause.test.as_ref(), &clause.body));
                }
                self.exec_branches(f, stmt, branches);
            }
            Stmt::Try(t) => {
                let outer = std::mem::replace(&mut self.import_failed, false);
                self.conditional += 1;
                self.exec_block(f, &t.body);
                if self.import_failed {
                    // `try: from .local import * except ImportError: ...` without the file.
                    for h in &t.handlers {
                        let ast::ExceptHandler::ExceptHandler(h) = h;
                        let catches = match h.type_.as_deref() {
                            None => true,
                            Some(ty) => {
                                let text = f.text(ty);
                                ["ImportError", "ModuleNotFoundError", "Exception"]
                                    .iter()
                                    .any(|n| text.contains(n))
                            }
                        };
                        if catches {
                            self.exec_block(f, &h.body);
                            break;
                        }
                    }
                } else {
                    self.exec_block(f, &t.orelse);
                }
                self.conditional -= 1;
                self.import_failed = outer;
                self.exec_block(f, &t.finalbody);
            }
            Stmt::With(w) => self.exec_block(f, &w.body),
            Stmt::Expr(e) if !self.mutate(f, &e.value) => {
                self.eval(f, &e.value);
            }
            _ => {}
        }
    }

    /// `if`/`elif`/`else`: each branch runs from the same namespace; names that end up
    /// different become choices keyed by the branches' tests.
    fn exec_branches(&mut self, f: &PyFile, at: &Stmt, branches: Vec<(Option<&Expr>, &[Stmt])>) {
        let mut arms: Vec<(Cond, &[Stmt])> = Vec::new();
        for (test, body) in branches {
            let cond = match test {
                Some(t) => self.cond(f, t),
                None => Cond::otherwise(f.evidence(at)),
            };
            match cond.test {
                Test::Const(false) => continue,
                Test::Const(true) => {
                    arms.push((Cond::otherwise(cond.evidence), body));
                    break;
                }
                _ => {
                    let last = matches!(cond.test, Test::Otherwise);
                    arms.push((cond, body));
                    if last {
                        break;
                    }
                }
            }
        }
        if arms.is_empty() {
            return;
        }
        if arms.len() == 1 && matches!(arms[0].0.test, Test::Otherwise) {
            self.exec_block(f, arms[0].1);
            return;
        }
        let before = self.ns.clone();
        let mut results: Vec<(Cond, BTreeMap<String, Binding>, Option<Value>)> = Vec::new();
        let has_else = arms
            .last()
            .is_some_and(|(c, _)| matches!(c.test, Test::Otherwise));
        self.conditional += 1;
        for (cond, body) in arms {
            self.ns = before.clone();
            self.exec_block(f, body);
            let ret = self.returned.take();
            results.push((cond, std::mem::take(&mut self.ns), ret));
        }
        self.conditional -= 1;
        if !has_else {
            results.push((Cond::otherwise(f.evidence(at)), before, None));
        }

        // Returns inside a function: arms that returned end the call on their path.
        if self.call_depth > 0 && results.iter().any(|(_, _, r)| r.is_some()) {
            let (returned, going_on): (Vec<_>, Vec<_>) =
                results.into_iter().partition(|(_, _, r)| r.is_some());
            for (cond, _, r) in returned {
                self.partial_returns.push(Arm {
                    cond,
                    value: r.unwrap_or(Value::None),
                    evidence: None,
                });
            }
            match going_on.into_iter().next() {
                Some((_, ns, _)) => self.ns = ns,
                None => {
                    // Every path returned.
                    let arms = std::mem::take(&mut self.partial_returns);
                    self.returned = Some(Value::Choice(arms));
                }
            }
            return;
        }

        let mut names: Vec<String> = Vec::new();
        for (_, ns, _) in &results {
            for k in ns.keys() {
                if !names.contains(k) {
                    names.push(k.clone());
                }
            }
        }
        let mut merged = BTreeMap::new();
        for name in names {
            let bindings: Vec<Option<&Binding>> =
                results.iter().map(|(_, ns, _)| ns.get(&name)).collect();
            let first = bindings[0];
            if bindings
                .iter()
                .all(|b| b.map(|b| &b.value) == first.map(|b| &b.value))
            {
                if let Some(b) = first {
                    merged.insert(name, b.clone());
                }
                continue;
            }
            let arms: Vec<Arm> = results
                .iter()
                .zip(&bindings)
                .map(|((cond, _, _), b)| Arm {
                    cond: cond.clone(),
                    value: b.map(|b| b.value.clone()).unwrap_or(Value::Undefined),
                    evidence: b.map(|b| b.evidence.clone()),
                })
                .collect();
            let value = Value::Choice(arms);
            let evidence = bindings
                .iter()
                .flatten()
                .next()
                .map(|b| b.evidence.clone())
                .unwrap_or_else(|| f.evidence(at));
            if value.size() > MAX_CHOICE_SIZE {
                // Too many paths to keep apart: the first branch that binds it wins.
                if let Some(b) = bindings.iter().flatten().next() {
                    merged.insert(name, (*b).clone());
                }
                continue;
            }
            merged.insert(name, Binding { value, evidence });
        }
        self.ns = merged;
    }

    /// What an `if` test depends on.
    fn cond(&mut self, f: &PyFile, test: &Expr) -> Cond {
        let mut c = Cond::unknown(f.text(test).to_string(), f.evidence(test));
        self.analyse_test(f, test, &mut c);
        c.fold_negation();
        c
    }

    fn analyse_test(&mut self, f: &PyFile, test: &Expr, c: &mut Cond) {
        let from_env = |c: &mut Cond, e: &EnvRead| {
            c.var = Some(e.name.clone());
            c.default = e.default_value.clone();
        };
        match test {
            Expr::UnaryOp(u) if u.op == ast::UnaryOp::Not => {
                c.negated = !c.negated;
                self.analyse_test(f, &u.operand, c);
            }
            Expr::BoolOp(b) => {
                let mut parts: Vec<Cond> = Vec::new();
                for v in &b.values {
                    let mut sub = Cond::unknown(String::new(), c.evidence.clone());
                    self.analyse_test(f, v, &mut sub);
                    sub.fold_negation();
                    parts.push(sub);
                }
                let and = b.op == BoolOp::And;
                // `False and ...` / `True or ...` decide alone; `True and x` is x.
                if parts.iter().any(|p| p.test == Test::Const(!and)) {
                    c.test = Test::Const(!and);
                    return;
                }
                parts.retain(|p| p.test != Test::Const(and));
                match parts.len() {
                    0 => c.test = Test::Const(and),
                    1 => {
                        let p = parts.remove(0);
                        c.var = p.var;
                        c.default = p.default;
                        c.test = p.test;
                        c.negated ^= p.negated;
                    }
                    _ => {
                        c.var = parts.iter().find_map(|p| p.var.clone());
                        c.test = Test::Unknown;
                    }
                }
            }
            Expr::Compare(cmp) if cmp.ops.len() == 1 => {
                let l = self.eval(f, &cmp.left);
                let r = self.eval(f, &cmp.comparators[0]);
                let op = cmp.ops[0];
                let negate = matches!(
                    op,
                    ast::CmpOp::NotEq | ast::CmpOp::NotIn | ast::CmpOp::IsNot
                );
                match (&l, op, &r) {
                    (Value::Env(e), ast::CmpOp::Eq | ast::CmpOp::NotEq, Value::Str(s))
                    | (Value::Str(s), ast::CmpOp::Eq | ast::CmpOp::NotEq, Value::Env(e)) => {
                        from_env(c, e);
                        c.test = Test::OneOf(vec![s.clone()]);
                    }
                    (Value::Env(e), ast::CmpOp::In | ast::CmpOp::NotIn, Value::List(items)) => {
                        from_env(c, e);
                        c.test = Test::OneOf(
                            items
                                .iter()
                                .filter_map(|v| v.as_str().map(str::to_string))
                                .collect(),
                        );
                    }
                    (Value::Env(e), ast::CmpOp::Is | ast::CmpOp::IsNot, Value::None) => {
                        // `os.getenv("X") is None`: the variable is unset.
                        from_env(c, e);
                        c.test = Test::Set;
                        c.negated = !c.negated;
                    }
                    (Value::Str(k), ast::CmpOp::In | ast::CmpOp::NotIn, Value::Module(m))
                        if m == "os.environ" =>
                    {
                        let read = self.env_read(f, test, k.clone(), None, "os.environ.get", None);
                        if let Value::Env(e) = read {
                            from_env(c, &e);
                        }
                        c.test = Test::Set;
                    }
                    (Value::Str(k), ast::CmpOp::In | ast::CmpOp::NotIn, Value::Module(m))
                        if m == "sys.argv" && TEST_ARGV.contains(&k.as_str()) =>
                    {
                        c.test = Test::Const(false);
                    }
                    // `"NAME" in locals()` at module level: whether the settings bound it.
                    (Value::Str(k), ast::CmpOp::In | ast::CmpOp::NotIn, Value::Module(m))
                        if m == NAMESPACE =>
                    {
                        match self.ns.get(k).map(|b| &b.value) {
                            None => c.test = Test::Const(false),
                            Some(Value::Choice(arms))
                                if arms.iter().any(|a| matches!(a.value, Value::Undefined)) => {}
                            Some(_) => c.test = Test::Const(true),
                        }
                    }
                    (a, ast::CmpOp::Eq | ast::CmpOp::NotEq, b)
                        if is_literal(a) && is_literal(b) =>
                    {
                        c.test = Test::Const(a == b);
                    }
                    (Value::Env(e), _, _) | (_, _, Value::Env(e)) => {
                        from_env(c, e);
                    }
                    _ => {}
                }
                if negate {
                    c.negated = !c.negated;
                }
            }
            Expr::Named(n) => {
                let v = self.eval(f, test);
                let _ = n;
                self.truthiness_test(&v, c);
            }
            _ => {
                let v = self.eval(f, test);
                self.truthiness_test(&v, c);
            }
        }
    }

    fn truthiness_test(&self, v: &Value, c: &mut Cond) {
        match v {
            Value::Env(e) => {
                c.var = Some(e.name.clone());
                c.default = e.default_value.clone();
                c.test = Test::Truthy {
                    boolean: e.cast == Cast::Bool,
                };
            }
            Value::Str(_) | Value::Int(_) | Value::Bool(_) | Value::None => {
                c.test = Test::Const(v.truthy(false));
            }
            Value::List(items) if items.iter().all(is_literal) => {
                c.test = Test::Const(!items.is_empty());
            }
            _ => {}
        }
    }

    /// Statements that change a setting in place: `X.update(...)`, `X.append(...)`,
    /// `X["a"].update(...)`, `X.extend(...)`, `X.insert(i, v)`. True when handled.
    fn mutate(&mut self, f: &PyFile, e: &Expr) -> bool {
        let Expr::Call(call) = e else { return false };
        let Expr::Attribute(attr) = call.func.as_ref() else {
            return false;
        };
        let method = attr.attr.id.as_str();
        if !["update", "append", "extend", "insert", "setdefault"].contains(&method) {
            return false;
        }
        // The target: NAME or NAME["k"]["k2"].
        let mut keys = Vec::new();
        let mut cur = attr.value.as_ref();
        while let Expr::Subscript(s) = cur {
            match s.slice.as_ref() {
                Expr::StringLiteral(k) => keys.push(k.value.to_str().to_string()),
                _ => return false,
            }
            cur = &s.value;
        }
        let Expr::Name(root) = cur else { return false };
        keys.reverse();
        let Some(current) = self.ns.get(root.id.as_str()).map(|b| b.value.clone()) else {
            return false;
        };
        if !matches!(current, Value::Dict(_) | Value::List(_) | Value::Choice(_)) {
            return false;
        }
        let args: Vec<Value> = call
            .arguments
            .args
            .iter()
            .map(|a| self.eval(f, a))
            .collect();
        let mut kwargs = Vec::new();
        for k in call.arguments.keywords.iter() {
            let v = self.eval(f, &k.value);
            if let Some(arg) = &k.arg {
                kwargs.push((arg.id.to_string(), v));
            }
        }
        let text = f.text(e).to_string();
        let mut root_value = current;
        update_path(&mut root_value, &keys, &mut |target| {
            apply_method(target, method, &args, &kwargs, &text)
        });
        self.bind(f, root.id.as_str(), root_value, e);
        true
    }

    /// Call a function of the project with the values of its arguments: its body runs
    /// on its own names; the value returned (a choice when several paths return).
    fn call_function(
        &mut self,
        func: &Rc<Function>,
        args: &[Value],
        kwargs: &[(String, Value)],
        at: &Expr,
        caller: &PyFile,
    ) -> Value {
        if self.call_depth >= MAX_CALL_DEPTH || func.def.is_async {
            return Value::Unknown(caller.text(at).into());
        }
        let file = func.file.clone();
        let saved_ns = std::mem::take(&mut self.ns);
        let saved_partial = std::mem::take(&mut self.partial_returns);
        let saved_ret = self.returned.take();
        // The function sees its own module's imports and functions.
        if file.rel == self.stack.last().map(|s| s.rel.as_str()).unwrap_or("") {
            self.ns = saved_ns.clone();
        } else {
            for s in &file.body {
                if matches!(s, Stmt::Import(_) | Stmt::ImportFrom(_)) {
                    let star = matches!(s, Stmt::ImportFrom(i) if i.names.iter().any(|n| n.name.id.as_str() == "*"));
                    if !star {
                        self.exec(&file, s);
                    }
                }
            }
        }
        let params = &func.def.parameters;
        let positional: Vec<&ast::ParameterWithDefault> = params
            .posonlyargs
            .iter()
            .chain(params.args.iter())
            .collect();
        let all = positional.iter().copied().chain(params.kwonlyargs.iter());
        for (i, p) in all.enumerate() {
            let name = p.parameter.name.id.as_str();
            let v = kwargs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .or_else(|| {
                    (i < positional.len())
                        .then(|| args.get(i).cloned())
                        .flatten()
                })
                .or_else(|| p.default.as_ref().map(|d| self.eval(&file, d)))
                .unwrap_or_else(|| Value::Unknown(name.to_string()));
            self.bind(&file, name, v, &p.parameter);
        }
        self.call_depth += 1;
        self.stack.push(file.clone());
        self.exec_block(&file, &func.def.body);
        self.stack.pop();
        self.call_depth -= 1;
        let last = self.returned.take().unwrap_or(Value::None);
        let mut arms = std::mem::take(&mut self.partial_returns);
        let result = if arms.is_empty() {
            last
        } else {
            arms.push(Arm {
                cond: Cond::otherwise(caller.evidence(at)),
                value: last,
                evidence: None,
            });
            Value::Choice(arms)
        };
        self.ns = saved_ns;
        self.partial_returns = saved_partial;
        self.returned = saved_ret;
        result
    }

    /// `getattr(module, "NAME"[, default])` on a module of the project: its value there.
    fn attribute_of_module(&mut self, module: &str, name: &str) -> Option<Value> {
        let file = self.loader.load(module, 0, "")?;
        let mut sub = Interp::new(&mut *self.loader);
        sub.call_depth = self.call_depth + 1;
        if sub.call_depth > MAX_CALL_DEPTH {
            return None;
        }
        sub.exec_file(&file);
        let value = sub.ns.get(name).map(|b| b.value.clone());
        let reads = std::mem::take(&mut sub.env_reads);
        drop(sub);
        self.env_reads.extend(reads);
        value
    }

    fn assign(&mut self, f: &PyFile, target: &Expr, value: Value, stmt: &Stmt) {
        match target {
            Expr::Name(n) => self.bind(f, n.id.as_str(), value, stmt),
            Expr::Subscript(_) => {
                // NAME["a"]["b"] = value: update the nested dict in place.
                let mut keys = Vec::new();
                let mut cur = target;
                while let Expr::Subscript(s) = cur {
                    match s.slice.as_ref() {
                        Expr::StringLiteral(k) => keys.push(k.value.to_str().to_string()),
                        _ => return,
                    }
                    cur = &s.value;
                }
                let Expr::Name(root) = cur else { return };
                keys.reverse();
                if let Some(b) = self.ns.get_mut(root.id.as_str()) {
                    set_path(&mut b.value, &keys, value);
                }
            }
            _ => {}
        }
    }

    /// The dotted name of an expression like `os.environ.get`, with imports resolved.
    fn dotted(&self, e: &Expr) -> Option<String> {
        match e {
            Expr::Name(n) => Some(match self.ns.get(n.id.as_str()).map(|b| &b.value) {
                Some(Value::Module(m)) => m.clone(),
                _ => n.id.to_string(),
            }),
            Expr::Attribute(a) => self
                .dotted(&a.value)
                .map(|base| format!("{base}.{}", a.attr.id.as_str())),
            _ => None,
        }
    }

    fn env_read(
        &mut self,
        f: &PyFile,
        at: &impl Ranged,
        name: String,
        default: Option<String>,
        via: &str,
        url_of: Option<&str>,
    ) -> Value {
        let default = default.or_else(|| {
            if via == "django-environ" {
                self.environ_scheme.get(&name).cloned()
            } else {
                None
            }
        });
        let read = EnvRead {
            required: default.is_none() && via != "os.environ.get" && self.conditional == 0,
            name,
            default,
            via: via.trim_end_matches(".get").to_string(),
            url_of: url_of.map(str::to_string),
            evidence: f.evidence(at),
            default_value: None,
            cast: Cast::Text,
        };
        self.env_reads.push(read.clone());
        Value::Env(Box::new(read))
    }

    /// Give the last read (and the value returned for it) its typed default and cast.
    fn refine(&mut self, v: Value, default: Option<Value>, cast: Cast) -> Value {
        let Value::Env(mut read) = v else { return v };
        read.default_value = default.filter(is_literal).map(Box::new);
        read.cast = cast;
        if let Some(last) = self
            .env_reads
            .iter_mut()
            .rev()
            .find(|r| r.name == read.name)
        {
            last.default_value = read.default_value.clone();
            last.cast = cast;
        }
        Value::Env(read)
    }

    pub fn eval(&mut self, f: &PyFile, e: &Expr) -> Value {
        match e {
            Expr::StringLiteral(s) => Value::Str(s.value.to_str().to_string()),
            Expr::NumberLiteral(n) => match &n.value {
                Number::Int(i) => i
                    .as_i64()
                    .map(Value::Int)
                    .unwrap_or_else(|| Value::Unknown(f.text(e).into())),
                _ => Value::Unknown(f.text(e).into()),
            },
            Expr::BooleanLiteral(b) => Value::Bool(b.value),
            Expr::NoneLiteral(_) => Value::None,
            Expr::List(l) => Value::List(l.elts.iter().map(|x| self.eval(f, x)).collect()),
            Expr::Tuple(t) => Value::List(t.elts.iter().map(|x| self.eval(f, x)).collect()),
            Expr::Set(s) => Value::List(s.elts.iter().map(|x| self.eval(f, x)).collect()),
            Expr::Dict(d) => {
                let mut items = Vec::new();
                for item in &d.items {
                    let v = self.eval(f, &item.value);
                    match &item.key {
                        Some(k) => {
                            if let Value::Str(k) = self.eval(f, k) {
                                items.push((k, v));
                            }
                        }
                        // `**other`: merge a known dict.
                        None => {
                            if let Value::Dict(more) = v {
                                items.extend(more);
                            }
                        }
                    }
                }
                Value::Dict(items)
            }
            Expr::Name(n) => match n.id.as_str() {
                "__file__" => Value::Path(f.rel.clone()),
                id => self
                    .ns
                    .get(id)
                    .map(|b| b.value.clone())
                    .unwrap_or_else(|| Value::Unknown(id.to_string())),
            },
            Expr::Attribute(a) => {
                let base = self.eval(f, &a.value);
                match (&base, a.attr.id.as_str()) {
                    (Value::Path(p), "parent") => Value::Path(path_parent(p)),
                    (Value::Module(m), attr) => Value::Module(format!("{m}.{attr}")),
                    (Value::Unknown(_), _) => match self.dotted(e) {
                        Some(d) => Value::Module(d),
                        None => Value::Unknown(f.text(e).into()),
                    },
                    _ => Value::Unknown(f.text(e).into()),
                }
            }
            Expr::Subscript(s) => {
                let base = self.eval(f, &s.value);
                let key = self.eval(f, &s.slice);
                match (&base, &key) {
                    (Value::Choice(arms), Value::Str(k)) => Value::Choice(
                        arms.iter()
                            .map(|a| Arm {
                                value: match &a.value {
                                    Value::Undefined => Value::Undefined,
                                    v => v
                                        .get(k)
                                        .cloned()
                                        .unwrap_or_else(|| Value::Unknown(f.text(e).into())),
                                },
                                ..a.clone()
                            })
                            .collect(),
                    ),
                    (Value::Module(m), Value::Int(_)) if m == "sys.argv" => {
                        Value::Unknown(f.text(e).into())
                    }
                    (Value::Module(m), Value::Str(k)) if m == "os.environ" => {
                        self.env_read(f, e, k.clone(), None, "os.environ", None)
                    }
                    (Value::Module(m), Value::Str(k)) if is_environ_reader(m) => {
                        self.env_read(f, e, k.clone(), None, "django-environ", None)
                    }
                    (Value::Dict(_), Value::Str(k)) => base
                        .get(k)
                        .cloned()
                        .unwrap_or_else(|| Value::Unknown(f.text(e).into())),
                    (Value::List(items), Value::Int(i)) => usize::try_from(*i)
                        .ok()
                        .and_then(|i| items.get(i).cloned())
                        .unwrap_or_else(|| Value::Unknown(f.text(e).into())),
                    (Value::Unknown(_), Value::Int(n)) => {
                        // Path(...).parents[n]
                        if let Expr::Attribute(a) = s.value.as_ref() {
                            if a.attr.id.as_str() == "parents" {
                                if let Value::Path(p) = self.eval(f, &a.value) {
                                    let mut p = p;
                                    for _ in 0..=(*n).clamp(0, 64) {
                                        p = path_parent(&p);
                                    }
                                    return Value::Path(p);
                                }
                            }
                        }
                        Value::Unknown(f.text(e).into())
                    }
                    (Value::Env(_), _) => base,
                    _ => Value::Unknown(f.text(e).into()),
                }
            }
            Expr::BinOp(b) => {
                let l = self.eval(f, &b.left);
                let r = self.eval(f, &b.right);
                match (b.op, l, r) {
                    (Operator::Div, Value::Path(p), Value::Str(s)) => {
                        Value::Path(path_join(&p, &s))
                    }
                    (Operator::Add, Value::Str(a), Value::Str(b)) => Value::Str(a + &b),
                    (Operator::Add, Value::List(mut a), Value::List(b)) => {
                        a.extend(b);
                        Value::List(a)
                    }
                    (_, Value::Env(env), _) | (_, _, Value::Env(env)) => Value::Env(env),
                    _ => Value::Unknown(f.text(e).into()),
                }
            }
            Expr::BoolOp(b) => {
                let values: Vec<Value> = b.values.iter().map(|v| self.eval(f, v)).collect();
                if b.op == BoolOp::Or {
                    if let Some(Value::Env(env)) = values.first() {
                        let mut env = env.clone();
                        if env.default.is_none() {
                            if let Some(lit) = values.get(1).filter(|v| is_literal(v)) {
                                env.default = Some(literal_text(lit));
                                env.required = false;
                                if let Some(last) =
                                    self.env_reads.iter_mut().rev().find(|r| r.name == env.name)
                                {
                                    last.default = env.default.clone();
                                    last.required = false;
                                }
                            }
                        }
                        return Value::Env(env);
                    }
                }
                values
                    .into_iter()
                    .find(|v| matches!(v, Value::Env(_)))
                    .unwrap_or_else(|| Value::Unknown(f.text(e).into()))
            }
            Expr::Compare(c) => {
                if c.ops.len() == 1 {
                    let cond = self.cond(f, e);
                    if let Test::Const(b) = cond.test {
                        return Value::Bool(b);
                    }
                    if let Some(var) = &cond.var {
                        if let Some(r) = self.env_reads.iter().rev().find(|r| &r.name == var) {
                            let mut r = r.clone();
                            r.cast = Cast::Bool;
                            return Value::Env(Box::new(r));
                        }
                    }
                    return Value::Unknown(f.text(e).into());
                }
                let l = self.eval(f, &c.left);
                for x in c.comparators.iter() {
                    self.eval(f, x);
                }
                match l {
                    Value::Env(env) => Value::Env(env),
                    _ => Value::Unknown(f.text(e).into()),
                }
            }
            Expr::Named(n) => {
                let v = self.eval(f, &n.value);
                if let Expr::Name(t) = n.target.as_ref() {
                    self.bind(f, t.id.as_str(), v.clone(), e);
                }
                v
            }
            Expr::UnaryOp(u) => {
                let v = self.eval(f, &u.operand);
                match v {
                    Value::Env(_) => v,
                    _ => Value::Unknown(f.text(e).into()),
                }
            }
            Expr::If(i) => {
                let cond = self.cond(f, &i.test);
                match cond.test {
                    Test::Const(true) => self.eval(f, &i.body),
                    Test::Const(false) => self.eval(f, &i.orelse),
                    _ => {
                        let body = self.eval(f, &i.body);
                        let orelse = self.eval(f, &i.orelse);
                        if body == orelse {
                            return body;
                        }
                        let ev = f.evidence(e);
                        Value::Choice(vec![
                            Arm {
                                cond,
                                value: body,
                                evidence: Some(ev.clone()),
                            },
                            Arm {
                                cond: Cond::otherwise(ev.clone()),
                                value: orelse,
                                evidence: Some(ev),
                            },
                        ])
                    }
                }
            }
            Expr::ListComp(c) => self.eval_generators(f, e, &c.generators),
            Expr::SetComp(c) => self.eval_generators(f, e, &c.generators),
            Expr::Generator(c) => self.eval_generators(f, e, &c.generators),
            Expr::FString(_) => Value::Unknown(f.text(e).into()),
            Expr::Call(c) => self.eval_call(f, e, c),
            _ => Value::Unknown(f.text(e).into()),
        }
    }

    fn eval_generators(&mut self, f: &PyFile, e: &Expr, gens: &[ast::Comprehension]) -> Value {
        let mut out = Value::Unknown(f.text(e).into());
        for g in gens {
            if let v @ Value::Env(_) = self.eval(f, &g.iter) {
                out = v;
            }
        }
        out
    }

    fn eval_call(&mut self, f: &PyFile, e: &Expr, c: &ast::ExprCall) -> Value {
        let args: Vec<Value> = c.arguments.args.iter().map(|a| self.eval(f, a)).collect();
        let mut kwargs: Vec<(String, Value, &Expr)> = Vec::new();
        for k in c.arguments.keywords.iter() {
            let v = self.eval(f, &k.value);
            if let Some(arg) = &k.arg {
                kwargs.push((arg.id.to_string(), v, &k.value));
            }
        }
        let kw = |name: &str| kwargs.iter().find(|(k, _, _)| k == name);
        let default_text = |pos: Option<usize>| -> Option<String> {
            if let Some((_, v, ex)) = kw("default") {
                return Some(if is_literal(v) {
                    literal_text(v)
                } else {
                    f.text(*ex).to_string()
                });
            }
            pos.and_then(|i| c.arguments.args.get(i))
                .map(|ex| match args.get(pos.unwrap_or(0)) {
                    Some(v) if is_literal(v) => literal_text(v),
                    _ => f.text(ex).to_string(),
                })
        };
        let name_arg = || args.first().and_then(|v| v.as_str().map(str::to_string));

        // Method call on an evaluated value: Path(...).resolve(), env.split(",") ...
        if let Expr::Attribute(a) = c.func.as_ref() {
            let attr = a.attr.id.as_str();
            let base = self.eval(f, &a.value);
            match (&base, attr) {
                (Value::Path(_), "resolve" | "absolute" | "expanduser") => return base,
                (Value::Path(p), "joinpath") => {
                    let mut p = p.clone();
                    for a in &args {
                        if let Value::Str(s) = a {
                            p = path_join(&p, s);
                        }
                    }
                    return Value::Path(p);
                }
                (Value::Env(_), _) => return base,
                (Value::Str(_), _) => return Value::Unknown(f.text(e).into()),
                // `DATABASES.get("default", {})`
                (Value::Dict(_), "get") => {
                    if let Some(Value::Str(k)) = args.first() {
                        return base
                            .get(k)
                            .cloned()
                            .or_else(|| args.get(1).cloned())
                            .unwrap_or(Value::None);
                    }
                }
                _ => {}
            }
        }

        if let Expr::Name(n) = c.func.as_ref() {
            if let Some(Value::Function(key)) = self.ns.get(n.id.as_str()).map(|b| b.value.clone())
            {
                if let Some(func) = self.functions.get(&key).cloned() {
                    let kw: Vec<(String, Value)> = kwargs
                        .iter()
                        .map(|(k, v, _)| (k.clone(), v.clone()))
                        .collect();
                    return self.call_function(&func, &args, &kw, e, f);
                }
            }
        }
        let Some(func) = self.dotted(&c.func) else {
            return Value::Unknown(f.text(e).into());
        };
        match func.as_str() {
            "os.environ.get" | "os.getenv" | "os.environ.setdefault" => match name_arg() {
                Some(n) => {
                    let d = default_text(Some(1));
                    let dv = kw("default")
                        .map(|(_, v, _)| v.clone())
                        .or(args.get(1).cloned());
                    let v = self.env_read(f, e, n, d, "os.environ.get", None);
                    self.refine(v, dv, Cast::Text)
                }
                None => Value::Unknown(f.text(e).into()),
            },
            "decouple.config" | "decouple.AutoConfig()" => match name_arg() {
                Some(n) => {
                    let d = default_text(None);
                    let dv = kw("default").map(|(_, v, _)| v.clone());
                    let cast = match kw("cast").map(|(_, _, ex)| f.text(*ex)) {
                        Some("bool") => Cast::Bool,
                        Some(_) => Cast::Other,
                        None => Cast::Text,
                    };
                    let v = self.env_read(f, e, n, d, "python-decouple", None);
                    self.refine(v, dv, cast)
                }
                None => Value::Unknown(f.text(e).into()),
            },
            "getattr" => match (args.first(), args.get(1)) {
                (Some(Value::Module(m)), Some(Value::Str(name))) => {
                    let (m, name) = (m.clone(), name.clone());
                    self.attribute_of_module(&m, &name)
                        .or_else(|| args.get(2).cloned())
                        .unwrap_or_else(|| Value::Unknown(f.text(e).into()))
                }
                _ => Value::Unknown(f.text(e).into()),
            },
            "locals" | "globals" | "vars" if args.is_empty() && self.call_depth == 0 => {
                Value::Module(NAMESPACE.into())
            }
            // `exec(open(path).read())` of a project file runs it in the settings' namespace
            // (Mezzanine's local_settings.py), like a star import.
            "exec" => {
                if let Some(Expr::Call(read)) = c.arguments.args.first() {
                    if let Expr::Attribute(a) = read.func.as_ref() {
                        if let (Expr::Call(open), "read") = (a.value.as_ref(), a.attr.id.as_str()) {
                            if self.dotted(&open.func).as_deref() == Some("open") {
                                if let Some(Value::Path(p)) =
                                    open.arguments.args.first().map(|x| self.eval(f, x))
                                {
                                    if let Some(file) = self.loader.load_file(&p) {
                                        self.exec_file(&file);
                                        return Value::None;
                                    }
                                }
                            }
                        }
                    }
                }
                Value::Unknown(f.text(e).into())
            }
            "os.path.exists" | "os.path.isfile" | "os.path.isdir" => match args.first() {
                Some(Value::Path(p)) => match self.loader.exists(p) {
                    Some(b) => Value::Bool(b),
                    None => Value::Unknown(f.text(e).into()),
                },
                _ => Value::Unknown(f.text(e).into()),
            },
            "importlib.import_module" | "import_module" => match args.first() {
                Some(Value::Str(m)) => Value::Module(m.clone()),
                _ => Value::Unknown(f.text(e).into()),
            },
            // distutils' strtobool (and its copies) parses the text as a boolean.
            "strtobool" | "distutils.util.strtobool" | "str2bool" => {
                match args.into_iter().next() {
                    Some(Value::Env(read)) => {
                        let default = read.default_value.as_deref().cloned();
                        self.refine(Value::Env(read), default, Cast::Bool)
                    }
                    _ => Value::Unknown(f.text(e).into()),
                }
            }
            "bool" => match args.into_iter().next() {
                Some(Value::Env(read)) => {
                    let cast = if read.cast == Cast::Text {
                        Cast::TextTruthiness
                    } else {
                        read.cast
                    };
                    let default = read.default_value.as_deref().cloned();
                    self.refine(Value::Env(read), default, cast)
                }
                Some(v @ (Value::Str(_) | Value::Int(_) | Value::Bool(_) | Value::None)) => {
                    Value::Bool(v.truthy(false))
                }
                _ => Value::Unknown(f.text(e).into()),
            },
            "environ.Env" | "environ.environ.Env" | "environ.FileAwareEnv" => {
                for (k, v, _) in &kwargs {
                    if let Value::List(t) = v {
                        if let Some(d) = t.get(1) {
                            self.environ_scheme.insert(k.clone(), literal_text(d));
                        }
                    }
                }
                Value::Module("environ.Env()".into())
            }
            "dj_database_url.config" => {
                let var = kw("env")
                    .and_then(|(_, v, _)| v.as_str().map(str::to_string))
                    .unwrap_or_else(|| "DATABASE_URL".into());
                let d = default_text(None);
                self.env_read(f, e, var, d, "dj-database-url", Some("database"))
            }
            "dj_database_url.parse" => match args.into_iter().next() {
                Some(Value::Env(mut env)) => {
                    env.url_of = Some("database".into());
                    if let Some(r) = self.env_reads.iter_mut().rev().find(|r| r.name == env.name) {
                        r.url_of = Some("database".into());
                    }
                    Value::Env(env)
                }
                Some(Value::Str(s)) => Value::Dict(vec![("URL".into(), Value::Str(s))]),
                _ => Value::Unknown(f.text(e).into()),
            },
            "pathlib.Path" | "Path" | "pathlib.PurePath" => match args.first() {
                Some(Value::Path(p)) => Value::Path(p.clone()),
                Some(Value::Str(s)) => Value::Path(s.clone()),
                _ => Value::Unknown(f.text(e).into()),
            },
            "os.path.join" => {
                let mut it = args.iter();
                match it.next() {
                    Some(Value::Path(p)) => {
                        let mut p = p.clone();
                        for a in it {
                            match a {
                                Value::Str(s) => p = path_join(&p, s),
                                _ => return Value::Unknown(f.text(e).into()),
                            }
                        }
                        Value::Path(p)
                    }
                    _ => Value::Unknown(f.text(e).into()),
                }
            }
            "os.path.dirname" => match args.first() {
                Some(Value::Path(p)) => Value::Path(path_parent(p)),
                _ => Value::Unknown(f.text(e).into()),
            },
            "os.path.abspath" | "os.path.realpath" | "os.path.normpath" | "str" | "os.fspath"
            | "int" | "list" | "tuple" => match args.into_iter().next() {
                Some(v @ (Value::Path(_) | Value::Env(_) | Value::Str(_))) => v,
                _ => Value::Unknown(f.text(e).into()),
            },
            other if is_environ_reader(other) => {
                let method = other.rsplit('.').next().unwrap_or("");
                let (default_var, url_of) = match method {
                    "db" | "db_url" => (Some("DATABASE_URL"), Some("database")),
                    "cache" | "cache_url" => (Some("CACHE_URL"), Some("cache")),
                    "email" | "email_url" => (Some("EMAIL_URL"), None),
                    "search_url" => (Some("SEARCH_URL"), None),
                    _ => (None, None),
                };
                if method == "read_env" {
                    return Value::None;
                }
                let var = name_arg().or_else(|| default_var.map(str::to_string));
                match var {
                    Some(n) => {
                        let pos = if url_of.is_some() { None } else { Some(1) };
                        let d = default_text(pos);
                        let dv = kw("default")
                            .map(|(_, v, _)| v.clone())
                            .or_else(|| pos.and_then(|i| args.get(i).cloned()));
                        let cast = match method {
                            "bool" => Cast::Bool,
                            "str" | "Env()" => Cast::Text,
                            _ => Cast::Other,
                        };
                        let v = self.env_read(f, e, n, d, "django-environ", url_of);
                        self.refine(v, dv, cast)
                    }
                    None => Value::Unknown(f.text(e).into()),
                }
            }
            _ => Value::Unknown(f.text(e).into()),
        }
    }
}

/// Names under which a `django-environ` reader is called: `env(...)`, `env.bool(...)`.
fn is_environ_reader(dotted: &str) -> bool {
    dotted == "environ.Env()"
        || (dotted.starts_with("environ.Env().") && !dotted["environ.Env().".len()..].contains('.'))
}

fn is_literal(v: &Value) -> bool {
    matches!(
        v,
        Value::Str(_) | Value::Int(_) | Value::Bool(_) | Value::None | Value::List(_)
    )
}

fn literal_text(v: &Value) -> String {
    match v {
        Value::Str(s) => s.clone(),
        other => other.describe(),
    }
}

fn set_path(target: &mut Value, keys: &[String], value: Value) {
    let Some((first, rest)) = keys.split_first() else {
        *target = value;
        return;
    };
    if let Value::Choice(arms) = target {
        for a in arms {
            set_path(&mut a.value, keys, value.clone());
        }
        return;
    }
    if let Value::Dict(items) = target {
        if let Some((_, v)) = items.iter_mut().rev().find(|(k, _)| k == first) {
            set_path(v, rest, value);
        } else if rest.is_empty() {
            items.push((first.clone(), value));
        }
    }
}

/// Apply `change` to the value at `keys` under `target` (on every arm of a choice).
fn update_path(target: &mut Value, keys: &[String], change: &mut dyn FnMut(&mut Value)) {
    if let Value::Choice(arms) = target {
        for a in arms {
            update_path(&mut a.value, keys, change);
        }
        return;
    }
    let Some((first, rest)) = keys.split_first() else {
        change(target);
        return;
    };
    if let Value::Dict(items) = target {
        if let Some((_, v)) = items.iter_mut().rev().find(|(k, _)| k == first) {
            update_path(v, rest, change);
        }
    }
}

/// `dict.update`, `list.append` and friends on a known value.
fn apply_method(
    target: &mut Value,
    method: &str,
    args: &[Value],
    kwargs: &[(String, Value)],
    text: &str,
) {
    match (target, method) {
        (Value::Dict(items), "update") => {
            let mut new: Vec<(String, Value)> = Vec::new();
            match args.first() {
                Some(Value::Dict(d)) => new.extend(d.iter().cloned()),
                Some(_) => {
                    items.push(("?".into(), Value::Unknown(text.into())));
                }
                None => {}
            }
            new.extend(kwargs.iter().cloned());
            for (k, v) in new {
                match items.iter_mut().rev().find(|(x, _)| *x == k) {
                    Some((_, old)) => *old = v,
                    None => items.push((k, v)),
                }
            }
        }
        (Value::Dict(items), "setdefault") => {
            if let Some(Value::Str(k)) = args.first() {
                if !items.iter().any(|(x, _)| x == k) {
                    items.push((k.clone(), args.get(1).cloned().unwrap_or(Value::None)));
                }
            }
        }
        (Value::List(items), "append") => {
            items.push(args.first().cloned().unwrap_or(Value::None));
        }
        (Value::List(items), "extend") => match args.first() {
            Some(Value::List(more)) => items.extend(more.iter().cloned()),
            _ => items.push(Value::Unknown(text.into())),
        },
        (Value::List(items), "insert") => {
            if let (Some(Value::Int(i)), Some(v)) = (args.first(), args.get(1)) {
                let i = usize::try_from(*i).unwrap_or(0).min(items.len());
                items.insert(i, v.clone());
            }
        }
        (t, _) => *t = Value::Unknown(text.into()),
    }
}

/// `a + b` on known values; choices and environment reads pass through.
fn add_values(a: Value, b: Value) -> Option<Value> {
    match (a, b) {
        (Value::List(mut l), Value::List(r)) => {
            l.extend(r);
            Some(Value::List(l))
        }
        (Value::Str(l), Value::Str(r)) => Some(Value::Str(l + &r)),
        (Value::Choice(arms), r) => Some(Value::Choice(
            arms.into_iter()
                .map(|a| Arm {
                    value: match a.value {
                        Value::Undefined => Value::Undefined,
                        v => add_values(v, r.clone()).unwrap_or_else(|| Value::Unknown("?".into())),
                    },
                    cond: a.cond,
                    evidence: a.evidence,
                })
                .collect(),
        )),
        (Value::Env(e), _) | (_, Value::Env(e)) => Some(Value::Env(e)),
        _ => None,
    }
}

/// A top-level `def name` in a file.
fn find_def(file: &PyFile, name: &str) -> Option<ast::StmtFunctionDef> {
    file.body.iter().find_map(|s| match s {
        Stmt::FunctionDef(d) if d.name.id.as_str() == name => Some(d.clone()),
        _ => None,
    })
}

/// Normalised join of a project-relative path and a segment.
pub fn path_join(base: &str, seg: &str) -> String {
    if seg.starts_with('/') {
        return normalize(seg);
    }
    if base.is_empty() || base == "." {
        return normalize(seg);
    }
    normalize(&format!("{base}/{seg}"))
}

pub fn path_parent(p: &str) -> String {
    normalize(&format!("{p}/.."))
}

/// Resolve `.` and `..` lexically; the result is "" for the project root.
pub fn normalize(p: &str) -> String {
    let absolute = p.starts_with('/');
    let mut out: Vec<&str> = Vec::new();
    for part in p.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if matches!(out.last(), Some(l) if *l != "..") {
                    out.pop();
                } else if !absolute {
                    out.push("..");
                }
            }
            x => out.push(x),
        }
    }
    let joined = out.join("/");
    if absolute {
        format!("/{joined}")
    } else {
        joined
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
