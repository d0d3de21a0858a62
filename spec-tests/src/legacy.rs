//! The legacy exception-handling files use the folded form `(try (do …) (catch $t …)
//! (catch_all …))` / `(try (do …) (delegate $l))`, which the `wast` crate (v263) does not
//! parse, although it parses the flat form `try … catch $t … catch_all … end`. This rewrites
//! the folded form into the flat one, keeping every line where it was (expected failures and
//! messages refer to lines).

/// What an open parenthesis began.
#[derive(Clone, Copy, PartialEq)]
enum Open {
    /// A folded `try`; `delegates` once a `(delegate …)` clause was seen (then no `end`).
    Try {
        delegates: bool,
    },
    /// `(do`, `(catch`, `(catch_all`, `(delegate`: the clause's own parentheses vanish.
    Clause,
    Other,
}

/// Rewrites every folded legacy `try` in `text` into the flat form. Strings and comments are
/// left alone.
pub fn unfold_legacy_try(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len() + 64);
    let mut stack: Vec<Open> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let rest = &text[i..];
        if rest.starts_with(";;") {
            let end = rest.find('\n').unwrap_or(rest.len());
            out.push_str(&rest[..end]);
            i += end;
        } else if rest.starts_with("(;") {
            let end = rest.find(";)").map_or(rest.len(), |e| e + 2);
            out.push_str(&rest[..end]);
            i += end;
        } else if rest.starts_with('"') {
            let end = string_end(rest);
            out.push_str(&rest[..end]);
            i += end;
        } else if let Some(after) = rest.strip_prefix('(') {
            let word = keyword(after);
            match word {
                "try" => {
                    stack.push(Open::Try { delegates: false });
                    out.push_str(" try");
                    i += 4;
                }
                "do" | "catch" | "catch_all" | "delegate"
                    if matches!(stack.last(), Some(Open::Try { .. })) =>
                {
                    if word == "delegate" {
                        if let Some(Open::Try { delegates }) = stack.last_mut() {
                            *delegates = true;
                        }
                    }
                    stack.push(Open::Clause);
                    if word == "do" {
                        out.push_str("   ");
                    } else {
                        out.push(' ');
                        out.push_str(word);
                    }
                    i += 1 + word.len();
                }
                _ => {
                    stack.push(Open::Other);
                    out.push('(');
                    i += 1;
                }
            }
        } else if rest.starts_with(')') {
            match stack.pop() {
                Some(Open::Try { delegates: false }) => out.push_str(" end"),
                Some(Open::Try { delegates: true }) | Some(Open::Clause) => out.push(' '),
                Some(Open::Other) | None => out.push(')'),
            }
            i += 1;
        } else {
            let c = rest.chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// The keyword right after an opening parenthesis (letters, digits, `_`, `.`).
fn keyword(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
        .unwrap_or(s.len());
    &s[..end]
}

/// The length of the string literal at the start of `s` (with its quotes).
fn string_end(s: &str) -> usize {
    let bytes = s.as_bytes();
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catch_form_becomes_flat_with_end() {
        let folded =
            "(func (try (result i32) (do (i32.const 1)) (catch $e (i32.const 2)) (catch_all)))";
        let flat = unfold_legacy_try(folded);
        let words: Vec<&str> = flat.split_whitespace().collect();
        assert_eq!(
            words.join(" "),
            "(func try (result i32) (i32.const 1) catch $e (i32.const 2) catch_all end)"
        );
    }

    #[test]
    fn delegate_form_has_no_end_and_lines_stay() {
        let folded = "(try $l (do\n  (try (do (nop)) (delegate $l)))\n (catch_all))";
        let flat = unfold_legacy_try(folded);
        assert_eq!(flat.lines().count(), folded.lines().count());
        let words: Vec<&str> = flat.split_whitespace().collect();
        assert_eq!(
            words.join(" "),
            "try $l try (nop) delegate $l catch_all end"
        );
    }

    #[test]
    fn strings_and_comments_are_untouched() {
        let text = "(module quote \"(try (do))\") ;; (try (do))\n(; (try ;)";
        assert_eq!(unfold_legacy_try(text), text);
    }
}
