//! Docker's ignore patterns.

/// Docker's (Go filepath.Match) patterns with `**`, on `/`-separated paths.
///
/// Each (pattern position, path position) is decided once, so a pattern of many stars
/// takes time proportional to the pattern's length times the path's, not exponential
/// (fuzzing found a .dockerignore pattern that made lint hang).
pub fn glob_match(pat: &str, path: &str) -> bool {
    struct M<'a> {
        p: &'a [u8],
        s: &'a [u8],
        memo: Vec<Option<bool>>,
    }
    impl M<'_> {
        fn at(&mut self, pi: usize, si: usize) -> bool {
            let key = pi * (self.s.len() + 1) + si;
            if let Some(v) = self.memo[key] {
                return v;
            }
            let (p, s) = (self.p, self.s);
            let v = match p.get(pi) {
                None => si == s.len(),
                Some(b'*') if p.get(pi + 1) == Some(&b'*') => {
                    let rest = if p.get(pi + 2) == Some(&b'/') {
                        pi + 3
                    } else {
                        pi + 2
                    };
                    (si..=s.len()).any(|i| (i == si || s[i - 1] == b'/') && self.at(rest, i))
                        || self.at(rest, si)
                }
                Some(b'*') => (si..=s.len())
                    .take_while(|&i| i == si || s[i - 1] != b'/')
                    .any(|i| self.at(pi + 1, i)),
                Some(b'?') => si < s.len() && s[si] != b'/' && self.at(pi + 1, si + 1),
                Some(c) => s.get(si) == Some(c) && self.at(pi + 1, si + 1),
            };
            self.memo[key] = Some(v);
            v
        }
    }
    if pat.len() > 256 {
        return false;
    }
    let (p, s) = (pat.as_bytes(), path.as_bytes());
    let mut m = M {
        p,
        s,
        memo: vec![None; (p.len() + 1) * (s.len() + 1)],
    };
    m.at(0, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_patterns_match_as_docker_does() {
        assert!(glob_match("*.pyc", "a.pyc"));
        assert!(!glob_match("*.pyc", "src/a.pyc"));
        assert!(glob_match("**/*.pyc", "src/deep/a.pyc"));
        assert!(glob_match("**/*.pyc", "a.pyc"));
        assert!(glob_match("src/**/b", "src/a/b"));
        assert!(glob_match("?ocker", "docker"));
        assert!(!glob_match("?ocker", "/ocker"));
        assert!(!glob_match("node_modules", "node_modules2"));
    }

    /// The plain recursive matcher (exponential on many stars): the reference on short input.
    fn reference(p: &[u8], s: &[u8]) -> bool {
        match p.first() {
            None => s.is_empty(),
            Some(b'*') if p.get(1) == Some(&b'*') => {
                let rest = if p.get(2) == Some(&b'/') {
                    &p[3..]
                } else {
                    &p[2..]
                };
                (0..=s.len()).any(|i| (i == 0 || s[i - 1] == b'/') && reference(rest, &s[i..]))
                    || reference(rest, s)
            }
            Some(b'*') => (0..=s.len())
                .take_while(|&i| i == 0 || s[i - 1] != b'/')
                .any(|i| reference(&p[1..], &s[i..])),
            Some(b'?') => !s.is_empty() && s[0] != b'/' && reference(&p[1..], &s[1..]),
            Some(c) => s.first() == Some(c) && reference(&p[1..], &s[1..]),
        }
    }

    #[test]
    fn the_memoised_matcher_agrees_with_the_plain_one() {
        // Every pattern and path of up to 5 characters over a small alphabet.
        fn words(alphabet: &[u8], max: usize) -> Vec<Vec<u8>> {
            let mut out = vec![Vec::new()];
            let mut last = vec![Vec::new()];
            for _ in 0..max {
                let next: Vec<Vec<u8>> = last
                    .iter()
                    .flat_map(|w| {
                        alphabet.iter().map(move |c| {
                            let mut w = w.clone();
                            w.push(*c);
                            w
                        })
                    })
                    .collect();
                out.extend(next.iter().cloned());
                last = next;
            }
            out
        }
        let pats = words(b"*?/a", 5);
        let paths = words(b"/ab", 4);
        for p in &pats {
            for s in &paths {
                let (ps, ss) = (
                    std::str::from_utf8(p).unwrap(),
                    std::str::from_utf8(s).unwrap(),
                );
                assert_eq!(glob_match(ps, ss), reference(p, s), "{ps:?} on {ss:?}");
            }
        }
    }

    #[test]
    fn patterns_of_many_stars_end() {
        // Found by fuzzing: each star tried every position again, exponentially.
        let many = format!("{}x", "**".repeat(60));
        assert!(!glob_match(&many, "docker/entrypoint.sh/a/b/c/d/e/f"));
        let stars = format!("{}b", "*a".repeat(40));
        assert!(!glob_match(&stars, &"a".repeat(80)));
        assert!(glob_match(
            &format!("{}a", "*a".repeat(40)),
            &"a".repeat(80)
        ));
    }
}
