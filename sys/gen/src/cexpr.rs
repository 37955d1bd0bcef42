//! A small evaluator for C preprocessor expressions (`#if` lines and the `condition="..."` attributes of the
//! older interface files), plus the integer constant expressions that appear in C enums and `#define`s.
//!
//! Semantics follow the C preprocessor: `defined(X)` / `defined X` test whether `X` is in the symbol table,
//! an identifier that is not defined evaluates to 0, and arithmetic is done on 64-bit signed integers.

use std::collections::BTreeMap;

/// The value lookup used while evaluating: defined names and their (integer) values.
pub trait Symbols {
    /// Whether `name` is defined (for `defined(...)`).
    fn is_defined(&self, name: &str) -> bool;
    /// The integer value of `name`, `Ok(None)` if it is not defined, `Err` if defined but not an integer.
    fn value(&self, name: &str) -> Result<Option<i64>, String>;
}

impl Symbols for BTreeMap<String, String> {
    fn is_defined(&self, name: &str) -> bool {
        self.contains_key(name)
    }

    fn value(&self, name: &str) -> Result<Option<i64>, String> {
        match self.get(name) {
            None => Ok(None),
            Some(v) if v.trim().is_empty() => Ok(Some(1)),
            Some(v) => parse_int(v.trim())
                .map(Some)
                .ok_or_else(|| format!("`{name}` is defined as `{v}`, which is not an integer")),
        }
    }
}

/// Two symbol tables searched in order (for example enumerators seen so far, then the configuration).
pub struct Chain<'a>(pub &'a dyn Symbols, pub &'a dyn Symbols);

impl Symbols for Chain<'_> {
    fn is_defined(&self, name: &str) -> bool {
        self.0.is_defined(name) || self.1.is_defined(name)
    }

    fn value(&self, name: &str) -> Result<Option<i64>, String> {
        match self.0.value(name)? {
            Some(v) => Ok(Some(v)),
            None => self.1.value(name),
        }
    }
}

/// Parses a C integer literal (decimal, hex, octal), ignoring `u`/`l` suffixes.
pub fn parse_int(text: &str) -> Option<i64> {
    let t = text.trim_end_matches(['u', 'U', 'l', 'L']);
    let (neg, t) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t),
    };
    let v = if let Some(hex) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        i64::from_str_radix(hex, 16).ok()?
    } else if t.len() > 1 && t.starts_with('0') {
        i64::from_str_radix(&t[1..], 8).ok()?
    } else {
        t.parse::<i64>().ok()?
    };
    Some(if neg { -v } else { v })
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(i64),
    Ident(String),
    Op(&'static str),
}

const OPS: [&str; 24] = [
    "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "(", ")", "!", "~", "+", "-", "*", "/", "%", "<", ">", "&", "|",
    "^", "?", ":",
];

fn tokenize(text: &str) -> Result<Vec<Tok>, String> {
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut out = Vec::new();
    while i < bytes.len() {
        let c = bytes[i] as char;
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_digit() {
            let start = i;
            while i < bytes.len() && (bytes[i] as char).is_ascii_alphanumeric() {
                i += 1;
            }
            let lit = &text[start..i];
            out.push(Tok::Num(parse_int(lit).ok_or_else(|| format!("bad number `{lit}`"))?));
        } else if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < bytes.len() && ((bytes[i] as char).is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            out.push(Tok::Ident(text[start..i].to_string()));
        } else {
            let op = OPS
                .iter()
                .find(|op| text[i..].starts_with(**op))
                .ok_or_else(|| format!("unexpected character `{c}`"))?;
            out.push(Tok::Op(op));
            i += op.len();
        }
    }
    Ok(out)
}

struct Parser<'a> {
    toks: Vec<Tok>,
    pos: usize,
    syms: &'a dyn Symbols,
}

fn binary_prec(op: &str) -> Option<u8> {
    Some(match op {
        "*" | "/" | "%" => 10,
        "+" | "-" => 9,
        "<<" | ">>" => 8,
        "<" | ">" | "<=" | ">=" => 7,
        "==" | "!=" => 6,
        "&" => 5,
        "^" => 4,
        "|" => 3,
        "&&" => 2,
        "||" => 1,
        _ => return None,
    })
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn expect(&mut self, op: &str) -> Result<(), String> {
        match self.next() {
            Some(Tok::Op(o)) if o == op => Ok(()),
            other => Err(format!("expected `{op}`, found {}", describe(other.as_ref()))),
        }
    }

    fn ternary(&mut self) -> Result<i64, String> {
        let cond = self.binary(0)?;
        if self.peek() == Some(&Tok::Op("?")) {
            self.next();
            let a = self.ternary()?;
            self.expect(":")?;
            let b = self.ternary()?;
            Ok(if cond != 0 { a } else { b })
        } else {
            Ok(cond)
        }
    }

    fn binary(&mut self, min_prec: u8) -> Result<i64, String> {
        let mut lhs = self.unary()?;
        while let Some(Tok::Op(op)) = self.peek() {
            let op = *op;
            let prec = match binary_prec(op) {
                Some(p) if p > min_prec => p,
                _ => break,
            };
            self.next();
            let rhs = self.binary(prec)?;
            lhs = apply(op, lhs, rhs)?;
        }
        Ok(lhs)
    }

    fn unary(&mut self) -> Result<i64, String> {
        match self.next() {
            Some(Tok::Op("!")) => Ok((self.unary()? == 0) as i64),
            Some(Tok::Op("~")) => Ok(!self.unary()?),
            Some(Tok::Op("-")) => Ok(self.unary()?.wrapping_neg()),
            Some(Tok::Op("+")) => self.unary(),
            Some(Tok::Op("(")) => {
                let v = self.ternary()?;
                self.expect(")")?;
                Ok(v)
            }
            Some(Tok::Num(n)) => Ok(n),
            Some(Tok::Ident(id)) if id == "defined" => {
                let paren = self.peek() == Some(&Tok::Op("("));
                if paren {
                    self.next();
                }
                let name = match self.next() {
                    Some(Tok::Ident(name)) => name,
                    other => {
                        return Err(format!(
                            "expected a name after `defined`, found {}",
                            describe(other.as_ref())
                        ))
                    }
                };
                if paren {
                    self.expect(")")?;
                }
                Ok(self.syms.is_defined(&name) as i64)
            }
            Some(Tok::Ident(id)) => Ok(self.syms.value(&id)?.unwrap_or(0)),
            other => Err(format!("expected an operand, found {}", describe(other.as_ref()))),
        }
    }
}

fn describe(t: Option<&Tok>) -> String {
    match t {
        None => "the end of the expression".to_string(),
        Some(Tok::Num(n)) => format!("`{n}`"),
        Some(Tok::Ident(i)) => format!("`{i}`"),
        Some(Tok::Op(o)) => format!("`{o}`"),
    }
}

fn apply(op: &str, a: i64, b: i64) -> Result<i64, String> {
    Ok(match op {
        "*" => a.wrapping_mul(b),
        "/" | "%" if b == 0 => return Err("division by zero".to_string()),
        "/" => a.wrapping_div(b),
        "%" => a.wrapping_rem(b),
        "+" => a.wrapping_add(b),
        "-" => a.wrapping_sub(b),
        "<<" => a.wrapping_shl(b as u32),
        ">>" => a.wrapping_shr(b as u32),
        "<" => (a < b) as i64,
        ">" => (a > b) as i64,
        "<=" => (a <= b) as i64,
        ">=" => (a >= b) as i64,
        "==" => (a == b) as i64,
        "!=" => (a != b) as i64,
        "&" => a & b,
        "^" => a ^ b,
        "|" => a | b,
        "&&" => (a != 0 && b != 0) as i64,
        "||" => (a != 0 || b != 0) as i64,
        _ => return Err(format!("unsupported operator `{op}`")),
    })
}

/// Evaluates a C preprocessor / constant expression to an integer.
pub fn eval(expr: &str, syms: &dyn Symbols) -> Result<i64, String> {
    let toks = tokenize(expr)?;
    if toks.is_empty() {
        return Err("empty expression".to_string());
    }
    let mut p = Parser { toks, pos: 0, syms };
    let v = p.ternary()?;
    if p.pos < p.toks.len() {
        return Err(format!("unexpected {} in `{expr}`", describe(p.peek())));
    }
    Ok(v)
}

/// Evaluates a C preprocessor condition: true when the expression is non-zero.
pub fn eval_condition(expr: &str, syms: &dyn Symbols) -> Result<bool, String> {
    eval(expr, syms).map(|v| v != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn conditions() {
        let c = cfg(&[("CONFIG_MAX_NUM_NODES", "1"), ("CONFIG_X", "1")]);
        assert!(!eval_condition("CONFIG_MAX_NUM_NODES > 1", &c).unwrap());
        assert!(eval_condition("defined(CONFIG_X)", &c).unwrap());
        assert!(eval_condition("defined CONFIG_X && !defined(CONFIG_Y)", &c).unwrap());
        assert!(!eval_condition("defined(CONFIG_Y) || CONFIG_Z", &c).unwrap());
        assert_eq!(eval("(1ul << 2) - 1", &c).unwrap(), 3);
        assert_eq!(eval("1 ? 2 : 3", &c).unwrap(), 2);
        assert!(eval("1 +", &c).is_err());
        assert!(eval("defined(", &c).is_err());
        assert!(eval("1 / 0", &c).is_err());
    }
}
