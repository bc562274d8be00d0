//! Calls: environment readers (os.environ, os.getenv, django-environ, decouple...),
//! functions of the project followed with their arguments, attributes of project modules.

use super::*;

impl Interp<'_> {
    /// Call a function of the project with the values of its arguments: its body runs
    /// on its own names; the value returned (a choice when several paths return).
    pub(super) fn call_function(
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
    pub(super) fn attribute_of_module(&mut self, module: &str, name: &str) -> Option<Value> {
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

    pub(super) fn assign(&mut self, f: &PyFile, target: &Expr, value: Value, stmt: &Stmt) {
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
    pub(super) fn dotted(&self, e: &Expr) -> Option<String> {
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

    pub(super) fn env_read(
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
    pub(super) fn refine(&mut self, v: Value, default: Option<Value>, cast: Cast) -> Value {
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

    pub(super) fn eval_call(&mut self, f: &PyFile, e: &Expr, c: &ast::ExprCall) -> Value {
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
