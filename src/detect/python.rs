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
            Value::Unknown(s) => s.clone(),
        }
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
}

const MAX_IMPORT_DEPTH: usize = 16;

impl<'l> Interp<'l> {
    pub fn new(loader: &'l mut dyn Loader) -> Self {
        Interp {
            ns: BTreeMap::new(),
            env_reads: Vec::new(),
            environ_scheme: HashMap::new(),
            files: Vec::new(),
            loader,
            conditional: 0,
        }
    }

    pub fn get(&self, name: &str) -> Option<&Binding> {
        self.ns.get(name)
    }

    /// Interpret a whole module in the current namespace.
    pub fn exec_file(&mut self, file: &PyFile) {
        if self.files.len() > MAX_IMPORT_DEPTH * 4 || self.files.iter().any(|f| f == &file.rel) {
            return;
        }
        self.files.push(file.rel.clone());
        self.exec_block(file, &file.body);
    }

    fn exec_block(&mut self, f: &PyFile, body: &[Stmt]) {
        for stmt in body {
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
                    let new = match (old, a.op, rhs) {
                        (Some(Value::List(mut l)), Operator::Add, Value::List(r)) => {
                            l.extend(r);
                            Value::List(l)
                        }
                        (Some(Value::Str(l)), Operator::Add, Value::Str(r)) => Value::Str(l + &r),
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
                for alias in &i.names {
                    let name = alias.name.id.as_str();
                    if name == "*" {
                        if let Some(file) = self.loader.load(module, i.level, &f.rel) {
                            self.exec_file(&file);
                        }
                        continue;
                    }
                    let bound = alias.asname.as_ref().map(|a| a.id.as_str()).unwrap_or(name);
                    // `from .base import env` after `from .base import *`: the name is
                    // already bound to what the module defines; keep that.
                    if alias.asname.is_none() && i.level > 0 && self.ns.contains_key(bound) {
                        continue;
                    }
                    let full = if module.is_empty() {
                        name.to_string()
                    } else {
                        format!("{module}.{name}")
                    };
                    self.bind(f, bound, Value::Module(full), stmt);
                }
            }
            Stmt::If(s) => {
                self.eval(f, &s.test);
                self.conditional += 1;
                self.exec_block(f, &s.body);
                for clause in &s.elif_else_clauses {
                    if let Some(t) = &clause.test {
                        self.eval(f, t);
                    }
                    self.exec_block(f, &clause.body);
                }
                self.conditional -= 1;
            }
            Stmt::Try(t) => {
                self.conditional += 1;
                self.exec_block(f, &t.body);
                self.exec_block(f, &t.orelse);
                self.conditional -= 1;
                self.exec_block(f, &t.finalbody);
            }
            Stmt::With(w) => self.exec_block(f, &w.body),
            Stmt::Expr(e) => {
                self.eval(f, &e.value);
            }
            _ => {}
        }
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
        };
        self.env_reads.push(read.clone());
        Value::Env(Box::new(read))
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
                let l = self.eval(f, &c.left);
                for x in c.comparators.iter() {
                    self.eval(f, x);
                }
                match l {
                    Value::Env(env) => Value::Env(env),
                    _ => Value::Unknown(f.text(e).into()),
                }
            }
            Expr::UnaryOp(u) => {
                let v = self.eval(f, &u.operand);
                match v {
                    Value::Env(_) => v,
                    _ => Value::Unknown(f.text(e).into()),
                }
            }
            Expr::If(i) => {
                self.eval(f, &i.test);
                let body = self.eval(f, &i.body);
                self.eval(f, &i.orelse);
                body
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
                _ => {}
            }
        }

        let Some(func) = self.dotted(&c.func) else {
            return Value::Unknown(f.text(e).into());
        };
        match func.as_str() {
            "os.environ.get" | "os.getenv" | "os.environ.setdefault" => match name_arg() {
                Some(n) => {
                    let d = default_text(Some(1));
                    self.env_read(f, e, n, d, "os.environ.get", None)
                }
                None => Value::Unknown(f.text(e).into()),
            },
            "decouple.config" | "decouple.AutoConfig()" => match name_arg() {
                Some(n) => {
                    let d = default_text(None);
                    self.env_read(f, e, n, d, "python-decouple", None)
                }
                None => Value::Unknown(f.text(e).into()),
            },
            "environ.Env" | "environ.environ.Env" => {
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
            | "bool" | "int" | "list" | "tuple" => match args.into_iter().next() {
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
                        let d = default_text(if url_of.is_some() { None } else { Some(1) });
                        self.env_read(f, e, n, d, "django-environ", url_of)
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
    if let Value::Dict(items) = target {
        if let Some((_, v)) = items.iter_mut().rev().find(|(k, _)| k == first) {
            set_path(v, rest, value);
        } else if rest.is_empty() {
            items.push((first.clone(), value));
        }
    }
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
        let file = PyFile::parse("mysite/settings.py", src.to_string());
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

    #[test]
    fn syntax_errors_become_warnings_not_panics() {
        let f = PyFile::parse("s.py", "X = 1\nY = (\nZ = 2\n".into());
        assert!(f.syntax_error.is_some());
        assert_eq!(normalize("a/../../b"), "../b");
    }
}
