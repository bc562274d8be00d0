//! Expressions: literals, names, operators, comprehensions, and the helpers on values
//! they share (paths, in-place methods, `+`).

use super::*;

impl Interp<'_> {
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

    pub(super) fn eval_generators(
        &mut self,
        f: &PyFile,
        e: &Expr,
        gens: &[ast::Comprehension],
    ) -> Value {
        let mut out = Value::Unknown(f.text(e).into());
        for g in gens {
            if let v @ Value::Env(_) = self.eval(f, &g.iter) {
                out = v;
            }
        }
        out
    }
}

/// Names under which a `django-environ` reader is called: `env(...)`, `env.bool(...)`.
pub(super) fn is_environ_reader(dotted: &str) -> bool {
    dotted == "environ.Env()"
        || (dotted.starts_with("environ.Env().") && !dotted["environ.Env().".len()..].contains('.'))
}

pub(super) fn is_literal(v: &Value) -> bool {
    matches!(
        v,
        Value::Str(_) | Value::Int(_) | Value::Bool(_) | Value::None | Value::List(_)
    )
}

pub(super) fn literal_text(v: &Value) -> String {
    match v {
        Value::Str(s) => s.clone(),
        other => other.describe(),
    }
}

pub(super) fn set_path(target: &mut Value, keys: &[String], value: Value) {
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
pub(super) fn update_path(target: &mut Value, keys: &[String], change: &mut dyn FnMut(&mut Value)) {
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
pub(super) fn apply_method(
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
pub(super) fn add_values(a: Value, b: Value) -> Option<Value> {
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
pub(super) fn find_def(file: &PyFile, name: &str) -> Option<ast::StmtFunctionDef> {
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
