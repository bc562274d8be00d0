//! The values the interpreter computes: what a setting holds on every path (choices
//! between arms under conditions), what was read from the environment and how.

use super::*;

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
    pub(super) fn otherwise(evidence: Evidence) -> Cond {
        Cond {
            test: Test::Otherwise,
            ..Cond::unknown("else".into(), evidence)
        }
    }

    /// A test not yet analysed.
    pub(super) fn unknown(text: String, evidence: Evidence) -> Cond {
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
    pub(super) fn fold_negation(&mut self) {
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
pub(super) fn pick_arm<'a>(
    arms: &'a [Arm],
    assume: &HashMap<String, Option<String>>,
) -> Option<&'a Arm> {
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

    pub(super) fn size(&self) -> usize {
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
