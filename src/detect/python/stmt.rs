//! Statements: assignments, `if`/`elif`/`else` as choices keyed by what their tests read,
//! `try`/`except ImportError`, imports, in-place changes.

use super::*;

impl Interp<'_> {
    pub(super) fn exec(&mut self, f: &PyFile, stmt: &Stmt) {
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
    pub(super) fn exec_branches(
        &mut self,
        f: &PyFile,
        at: &Stmt,
        branches: Vec<(Option<&Expr>, &[Stmt])>,
    ) {
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
    pub(super) fn cond(&mut self, f: &PyFile, test: &Expr) -> Cond {
        let mut c = Cond::unknown(f.text(test).to_string(), f.evidence(test));
        self.analyse_test(f, test, &mut c);
        c.fold_negation();
        c
    }

    pub(super) fn analyse_test(&mut self, f: &PyFile, test: &Expr, c: &mut Cond) {
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

    pub(super) fn truthiness_test(&self, v: &Value, c: &mut Cond) {
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
    pub(super) fn mutate(&mut self, f: &PyFile, e: &Expr) -> bool {
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
}
