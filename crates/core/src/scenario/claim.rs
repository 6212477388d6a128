//! A step's claims: `<operand> <op> <operand>`, an operand a literal or a query of the world
//! (`record(3).partition`, `partition(orders-2).high_watermark`, `errors(NOT_ENOUGH_REPLICAS)`;
//! the queries are in `query` and the README's claim table). A claim checked gives its
//! values, so a failure says what the world had.

use super::query::{Query, Tally};
use super::value::Value;
use crate::sim::Sim;
use alloc::format;
use alloc::string::{String, ToString};

/// A comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

const OPS: [(&str, Op); 6] = [
    ("==", Op::Eq),
    ("!=", Op::Ne),
    ("<=", Op::Le),
    (">=", Op::Ge),
    ("<", Op::Lt),
    (">", Op::Gt),
];

/// One side of a claim.
#[derive(Clone, Debug, PartialEq)]
pub enum Operand {
    Literal(Value),
    Query(Query),
}

/// A claim's predicate.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub left: Operand,
    pub op: Op,
    pub right: Operand,
}

/// A claim checked at a step's moment.
#[derive(Clone, Debug, PartialEq)]
pub struct ClaimResult {
    /// The predicate as written.
    pub check: String,
    pub passed: bool,
    /// The values compared (`4 != 4`), or why the claim could not be read.
    pub message: String,
}

impl Expr {
    /// Reads `<operand> <op> <operand>`.
    pub fn parse(text: &str) -> Result<Expr, String> {
        let (at, op_text, op) = find_op(text).ok_or_else(|| {
            format!("'{text}': a claim is <operand> <op> <operand>, op one of == != < <= > >=")
        })?;
        let left = Operand::parse(&text[..at])?;
        let right = Operand::parse(&text[at + op_text.len()..])?;
        if let (Operand::Literal(_), Operand::Literal(_)) = (&left, &right) {
            return Err(format!(
                "'{text}': a claim queries the world on one side at least"
            ));
        }
        Ok(Expr { left, op, right })
    }

    /// Evaluates the claim against the world.
    pub fn check(&self, sim: &Sim, tally: &Tally) -> Result<bool, String> {
        let l = self.left.value(sim, tally)?;
        let r = self.right.value(sim, tally)?;
        compare(&l, self.op, &r).ok_or_else(|| format!("{l} and {r} cannot be compared so"))
    }

    /// The claim checked, with its values.
    pub fn result(&self, check: &str, sim: &Sim, tally: &Tally) -> ClaimResult {
        let values = self
            .left
            .value(sim, tally)
            .and_then(|l| self.right.value(sim, tally).map(|r| (l, r)));
        let (passed, message) = match values {
            Err(why) => (false, why),
            Ok((l, r)) => match compare(&l, self.op, &r) {
                Some(ok) => (ok, format!("{l} {} {r}", op_text(self.op))),
                None => (false, format!("{l} and {r} cannot be compared so")),
            },
        };
        ClaimResult {
            check: check.to_string(),
            passed,
            message,
        }
    }
}

fn op_text(op: Op) -> &'static str {
    OPS.iter().find(|(_, o)| *o == op).map_or("?", |(t, _)| t)
}

/// The first operator outside quotes and parentheses: (byte index, its text, the op).
fn find_op(text: &str) -> Option<(usize, &'static str, Op)> {
    let bytes = text.as_bytes();
    let (mut depth, mut quoted) = (0i32, false);
    for i in 0..bytes.len() {
        match bytes[i] {
            b'"' => quoted = !quoted,
            b'(' if !quoted => depth += 1,
            b')' if !quoted => depth -= 1,
            _ if quoted || depth > 0 => {}
            _ => {
                if let Some((t, op)) = OPS.iter().find(|(t, _)| text[i..].starts_with(t)) {
                    return Some((i, t, *op));
                }
            }
        }
    }
    None
}

fn compare(l: &Value, op: Op, r: &Value) -> Option<bool> {
    use core::cmp::Ordering;
    let ord = match (l, r) {
        (Value::Int(a), Value::Int(b)) => a.cmp(b),
        (Value::Int(_) | Value::Real(_), Value::Int(_) | Value::Real(_)) => {
            number(l)?.partial_cmp(&number(r)?)?
        }
        (Value::Text(a), Value::Text(b)) if matches!(op, Op::Eq | Op::Ne) => a.cmp(b),
        (Value::Bool(a), Value::Bool(b)) if matches!(op, Op::Eq | Op::Ne) => a.cmp(b),
        _ => return None,
    };
    Some(match op {
        Op::Eq => ord == Ordering::Equal,
        Op::Ne => ord != Ordering::Equal,
        Op::Lt => ord == Ordering::Less,
        Op::Le => ord != Ordering::Greater,
        Op::Gt => ord == Ordering::Greater,
        Op::Ge => ord != Ordering::Less,
    })
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Int(n) => Some(*n as f64),
        Value::Real(x) => Some(*x),
        _ => None,
    }
}

impl Operand {
    fn parse(text: &str) -> Result<Operand, String> {
        let t = text.trim();
        if t.is_empty() {
            return Err(String::from("an operand is missing"));
        }
        if let Some(inner) = t.strip_prefix('"') {
            let inner = inner
                .strip_suffix('"')
                .ok_or_else(|| format!("'{t}': a text ends with '\"'"))?;
            return Ok(Operand::Literal(Value::Text(inner.to_string())));
        }
        if let Ok(n) = t.parse::<i64>() {
            return Ok(Operand::Literal(Value::Int(n)));
        }
        if t.contains('.')
            && t.bytes()
                .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
        {
            let x = t
                .parse::<f64>()
                .map_err(|_| format!("'{t}' is not a number"))?;
            return Ok(Operand::Literal(Value::Real(x)));
        }
        match t {
            "true" => return Ok(Operand::Literal(Value::Bool(true))),
            "false" => return Ok(Operand::Literal(Value::Bool(false))),
            _ => {}
        }
        let upper = t
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
        if upper {
            return Ok(Operand::Literal(Value::Text(t.to_string())));
        }
        let query = Query::parse(t)?;
        super::query::check_shape(&query)?;
        Ok(Operand::Query(query))
    }

    fn value(&self, sim: &Sim, tally: &Tally) -> Result<Value, String> {
        match self {
            Operand::Literal(v) => Ok(v.clone()),
            Operand::Query(q) => super::query::eval(q, sim, tally),
        }
    }
}
