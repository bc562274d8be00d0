//! Native (Debian) libraries that Python packages need: at build time to compile them,
//! at run time to load them. One row a package; more rows come from `[tool.djship.native]`.

use super::deps::Dependencies;
use serde::Serialize;
use std::collections::BTreeSet;

/// When a rule applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// Whenever the package is a dependency.
    Always,
    /// Only when it is built from source (`--no-binary`, or no wheel for the chosen Python):
    /// wheels bundle the libraries.
    FromSource,
    /// Only when the package is installed without any of these extras.
    WithoutExtras(&'static [&'static str]),
    /// Only when the package is installed with this extra.
    WithExtra(&'static str),
}

/// The Debian packages one Python package needs to build and to run.
pub struct LibRule {
    pub package: &'static str,
    pub when: When,
    pub build: &'static [&'static str],
    pub run: &'static [&'static str],
}

const CC: &[&str] = &["gcc", "libc6-dev"];
const LIBPQ_BUILD: &[&str] = &["libpq-dev", "gcc", "libc6-dev"];
const LIBPQ_RUN: &[&str] = &["libpq5"];
const LDAP_BUILD: &[&str] = &["libldap2-dev", "libsasl2-dev", "gcc", "libc6-dev"];
const LDAP_RUN: &[&str] = &["libldap-2.5-0", "libsasl2-2"];

/// The built-in table (Debian bookworm package names).
pub const LIB_RULES: &[LibRule] = &[
    LibRule {
        package: "psycopg2",
        when: When::Always,
        build: LIBPQ_BUILD,
        run: LIBPQ_RUN,
    },
    LibRule {
        package: "psycopg2-binary",
        when: When::FromSource,
        build: LIBPQ_BUILD,
        run: LIBPQ_RUN,
    },
    LibRule {
        package: "psycopg",
        when: When::WithoutExtras(&["binary", "c"]),
        build: &[],
        run: LIBPQ_RUN,
    },
    LibRule {
        package: "psycopg",
        when: When::WithExtra("c"),
        build: LIBPQ_BUILD,
        run: LIBPQ_RUN,
    },
    LibRule {
        package: "psycopg-c",
        when: When::Always,
        build: LIBPQ_BUILD,
        run: LIBPQ_RUN,
    },
    LibRule {
        package: "mysqlclient",
        when: When::Always,
        build: &[
            "default-libmysqlclient-dev",
            "pkg-config",
            "gcc",
            "libc6-dev",
        ],
        run: &["libmariadb3"],
    },
    LibRule {
        package: "pillow",
        when: When::FromSource,
        build: &[
            "libjpeg62-turbo-dev",
            "zlib1g-dev",
            "libfreetype-dev",
            "gcc",
            "libc6-dev",
        ],
        run: &["libjpeg62-turbo", "zlib1g", "libfreetype6"],
    },
    LibRule {
        package: "lxml",
        when: When::FromSource,
        build: &["libxml2-dev", "libxslt1-dev", "gcc", "libc6-dev"],
        run: &["libxml2", "libxslt1.1"],
    },
    LibRule {
        package: "python-ldap",
        when: When::Always,
        build: LDAP_BUILD,
        run: LDAP_RUN,
    },
    LibRule {
        package: "django-auth-ldap",
        when: When::Always,
        build: LDAP_BUILD,
        run: LDAP_RUN,
    },
    LibRule {
        package: "gdal",
        when: When::Always,
        build: &["libgdal-dev", "gcc", "g++", "libc6-dev"],
        run: &["libgdal32"],
    },
    LibRule {
        package: "django.contrib.gis",
        when: When::Always,
        build: &[],
        run: &["binutils", "libproj25", "libgdal32", "libgeos-c1v5"],
    },
    LibRule {
        package: "weasyprint",
        when: When::Always,
        build: &[],
        run: &[
            "libpango-1.0-0",
            "libpangoft2-1.0-0",
            "libharfbuzz-subset0",
            "libharfbuzz0b",
            "fonts-dejavu-core",
        ],
    },
    LibRule {
        package: "pycairo",
        when: When::Always,
        build: &["libcairo2-dev", "pkg-config", "gcc", "libc6-dev"],
        run: &["libcairo2"],
    },
    LibRule {
        package: "cairocffi",
        when: When::Always,
        build: &[],
        run: &["libcairo2"],
    },
    LibRule {
        package: "xmlsec",
        when: When::Always,
        build: &["libxmlsec1-dev", "pkg-config", "gcc", "libc6-dev"],
        run: &["libxmlsec1-openssl"],
    },
    LibRule {
        package: "python-magic",
        when: When::Always,
        build: &[],
        run: &["libmagic1"],
    },
    LibRule {
        package: "pylibmc",
        when: When::Always,
        build: &["libmemcached-dev", "zlib1g-dev", "gcc", "libc6-dev"],
        run: &["libmemcached11"],
    },
    LibRule {
        package: "uwsgi",
        when: When::Always,
        build: CC,
        run: &[],
    },
];

pub use crate::config::ExtraRule;

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct NativeLibs {
    pub build: BTreeSet<String>,
    pub run: BTreeSet<String>,
    /// Which package asked for which libraries.
    pub because: Vec<NativeReason>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NativeReason {
    pub package: String,
    pub build: Vec<String>,
    pub run: Vec<String>,
}

impl NativeLibs {
    fn add(&mut self, package: &str, build: &[String], run: &[String]) {
        if build.is_empty() && run.is_empty() {
            return;
        }
        self.build.extend(build.iter().cloned());
        self.run.extend(run.iter().cloned());
        self.because.push(NativeReason {
            package: package.to_string(),
            build: build.to_vec(),
            run: run.to_vec(),
        });
    }
}

/// Libraries for the dependencies; `extra_features` are pseudo-packages such as
/// `django.contrib.gis` that settings, not packages, bring in; `source_built` are the
/// packages built from their sdist on the chosen Python (no wheel fits).
pub fn resolve(
    deps: &Dependencies,
    extra_features: &[&str],
    extra_rules: &std::collections::BTreeMap<String, ExtraRule>,
    source_built: &BTreeSet<String>,
) -> NativeLibs {
    let mut out = NativeLibs::default();
    let owned = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    for p in deps.packages.iter().filter(|p| !p.dev) {
        if let Some(r) = extra_rules.get(&p.name) {
            out.add(&p.name, &r.build, &r.run);
            continue;
        }
        for rule in LIB_RULES.iter().filter(|r| r.package == p.name) {
            let applies = match rule.when {
                When::Always => true,
                When::FromSource => {
                    deps.no_binary.contains(&p.name)
                        || deps.no_binary.contains(":all:")
                        || source_built.contains(&p.name)
                }
                When::WithoutExtras(ex) => !p.extras.iter().any(|e| ex.contains(&e.as_str())),
                When::WithExtra(ex) => p.extras.iter().any(|e| e == ex),
            };
            if applies {
                out.add(&p.name, &owned(rule.build), &owned(rule.run));
            }
        }
    }
    for f in extra_features {
        for rule in LIB_RULES.iter().filter(|r| r.package == *f) {
            out.add(f, &owned(rule.build), &owned(rule.run));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::deps::parse_requirement_line;
    use crate::detect::evidence::Evidence;

    fn deps(lines: &[&str]) -> Dependencies {
        let mut d = Dependencies::default();
        for l in lines {
            d.packages.push(
                parse_requirement_line(l, Evidence::file("r.txt"))
                    .unwrap()
                    .unwrap(),
            );
        }
        d
    }

    #[test]
    fn psycopg_variants() {
        let n = resolve(
            &deps(&["psycopg2==2.9.9"]),
            &[],
            &Default::default(),
            &BTreeSet::new(),
        );
        assert!(n.build.contains("libpq-dev") && n.build.contains("gcc"));
        assert_eq!(n.run.iter().collect::<Vec<_>>(), ["libpq5"]);
        assert!(resolve(
            &deps(&["psycopg2-binary"]),
            &[],
            &Default::default(),
            &BTreeSet::new()
        )
        .run
        .is_empty());
        assert!(resolve(
            &deps(&["psycopg[binary]>=3.1"]),
            &[],
            &Default::default(),
            &BTreeSet::new()
        )
        .run
        .is_empty());
        let pure = resolve(
            &deps(&["psycopg>=3.1"]),
            &[],
            &Default::default(),
            &BTreeSet::new(),
        );
        assert!(pure.build.is_empty() && pure.run.contains("libpq5"));
        let c = resolve(
            &deps(&["psycopg[c]"]),
            &[],
            &Default::default(),
            &BTreeSet::new(),
        );
        assert!(c.build.contains("libpq-dev"));
    }

    #[test]
    fn mysql_ldap_pillow_gis() {
        let n = resolve(
            &deps(&["mysqlclient", "python-ldap"]),
            &[],
            &Default::default(),
            &BTreeSet::new(),
        );
        assert!(n.build.contains("default-libmysqlclient-dev") && n.build.contains("pkg-config"));
        assert!(n.run.contains("libmariadb3") && n.run.contains("libldap-2.5-0"));
        let mut d = deps(&["Pillow"]);
        assert!(
            resolve(&d, &[], &Default::default(), &BTreeSet::new())
                .build
                .is_empty(),
            "wheels bundle libjpeg"
        );
        d.no_binary.insert("pillow".into());
        assert!(resolve(&d, &[], &Default::default(), &BTreeSet::new())
            .build
            .contains("libjpeg62-turbo-dev"));
        let gis = resolve(
            &deps(&[]),
            &["django.contrib.gis"],
            &Default::default(),
            &BTreeSet::new(),
        );
        assert!(gis.run.contains("libgdal32") && gis.build.is_empty());
    }

    #[test]
    fn a_binary_package_built_from_source_gets_libpq() {
        let d = deps(&["psycopg2-binary==2.8.6"]);
        assert!(resolve(&d, &[], &Default::default(), &BTreeSet::new())
            .build
            .is_empty());
        let built: BTreeSet<String> = ["psycopg2-binary".to_string()].into();
        let n = resolve(&d, &[], &Default::default(), &built);
        assert!(n.build.contains("libpq-dev") && n.run.contains("libpq5"));
        assert_eq!(n.because[0].package, "psycopg2-binary");
    }

    #[test]
    fn config_rules_override() {
        let mut extra = std::collections::BTreeMap::new();
        extra.insert(
            "my-lib".to_string(),
            ExtraRule {
                build: vec!["libfoo-dev".into()],
                run: vec!["libfoo1".into()],
            },
        );
        let n = resolve(&deps(&["my-lib"]), &[], &extra, &BTreeSet::new());
        assert!(n.build.contains("libfoo-dev") && n.run.contains("libfoo1"));
        assert_eq!(n.because[0].package, "my-lib");
    }
}
