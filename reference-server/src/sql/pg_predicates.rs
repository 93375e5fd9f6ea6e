//! PostgreSQL predicates sqlparser or DataFusion lack, spelled with what they have:
//! `x [NOT] BETWEEN SYMMETRIC a AND b` and `(s1, e1) OVERLAPS (s2, e2)`.
//!
//! sqlparser rejects `SYMMETRIC`, so the tokens are rewritten first: the low bound is wrapped
//! in a call of an internal name that [`rewrite`] recognises after parsing.

use datafusion::sql::sqlparser::ast::{
    BinaryOperator, DataType, Expr, FunctionArg, FunctionArgExpr, FunctionArguments,
};
use datafusion::sql::sqlparser::keywords::Keyword;
use datafusion::sql::sqlparser::tokenizer::{Token, TokenWithSpan, Word};

/// The internal function name marking a symmetric BETWEEN's low bound (`$` cannot start an
/// unquoted identifier, so no user call is mistaken for it).
const SYMMETRIC: &str = "$between_symmetric";

/// `BETWEEN SYMMETRIC low AND` → `BETWEEN "$between_symmetric"(low) AND`, and
/// `BETWEEN ASYMMETRIC` (the default) → `BETWEEN`.
pub fn rewrite_tokens(tokens: Vec<TokenWithSpan>) -> Vec<TokenWithSpan> {
    if !tokens.iter().any(|t| {
        matches!(&t.token, Token::Word(w) if matches!(w.keyword, Keyword::SYMMETRIC | Keyword::ASYMMETRIC))
    }) {
        return tokens;
    }
    let mut out = Vec::with_capacity(tokens.len() + 3);
    let mut i = 0;
    while let Some(t) = tokens.get(i) {
        out.push(t.clone());
        i += 1;
        if !is_keyword(&t.token, Keyword::BETWEEN) {
            continue;
        }
        let next = next_significant(&tokens, i);
        let Some(kw) = tokens.get(next) else { continue };
        if is_keyword(&kw.token, Keyword::ASYMMETRIC) {
            i = next + 1;
        } else if is_keyword(&kw.token, Keyword::SYMMETRIC) {
            let start = next + 1;
            let Some(end) = low_bound_end(&tokens, start) else {
                continue;
            };
            let span = kw.span;
            let wrap = |token| TokenWithSpan { token, span };
            out.push(wrap(Token::Word(Word {
                value: SYMMETRIC.into(),
                quote_style: Some('"'),
                keyword: Keyword::NoKeyword,
            })));
            out.push(wrap(Token::LParen));
            out.extend(tokens.get(start..end).unwrap_or_default().iter().cloned());
            out.push(wrap(Token::RParen));
            i = end;
        }
    }
    out
}

fn is_keyword(t: &Token, k: Keyword) -> bool {
    matches!(t, Token::Word(w) if w.quote_style.is_none() && w.keyword == k)
}

fn next_significant(tokens: &[TokenWithSpan], mut i: usize) -> usize {
    while tokens
        .get(i)
        .is_some_and(|t| matches!(t.token, Token::Whitespace(_)))
    {
        i += 1;
    }
    i
}

/// The index of the `AND` ending a BETWEEN's low bound that starts at `start`: the first one
/// outside parentheses and CASE expressions.
fn low_bound_end(tokens: &[TokenWithSpan], start: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, t) in tokens.iter().enumerate().skip(start) {
        match &t.token {
            Token::LParen | Token::LBracket => depth += 1,
            Token::RParen | Token::RBracket => depth = depth.checked_sub(1)?,
            Token::SemiColon => return None,
            Token::Word(w) if w.quote_style.is_none() => match w.keyword {
                Keyword::CASE => depth += 1,
                Keyword::END => depth = depth.checked_sub(1)?,
                Keyword::AND if depth == 0 => return Some(i),
                _ => {}
            },
            _ => {}
        }
    }
    None
}

/// Rewrites a symmetric BETWEEN or an OVERLAPS at `e` (children first, as the visitor runs).
pub fn rewrite(e: &mut Expr) {
    match e {
        Expr::Between {
            expr,
            negated,
            low,
            high,
        } => {
            let Some(low_inner) = symmetric_low(low) else {
                return;
            };
            let between = |low: &Expr, high: &Expr| Expr::Between {
                expr: expr.clone(),
                negated: *negated,
                low: Box::new(low.clone()),
                high: Box::new(high.clone()),
            };
            // PostgreSQL: `x BETWEEN a AND b OR x BETWEEN b AND a` (NOT: both must fail).
            let op = if *negated {
                BinaryOperator::And
            } else {
                BinaryOperator::Or
            };
            *e = Expr::Nested(Box::new(Expr::BinaryOp {
                left: Box::new(between(&low_inner, high)),
                op,
                right: Box::new(between(high, &low_inner)),
            }));
        }
        Expr::BinaryOp {
            left,
            op: BinaryOperator::Overlaps,
            right,
        } => {
            if let (Some((s1, e1)), Some((s2, e2))) = (period(left), period(right)) {
                *e = overlaps(s1, e1, s2, e2);
            }
        }
        _ => {}
    }
}

/// The low bound inside the marker call, if `low` is one.
fn symmetric_low(low: &Expr) -> Option<Expr> {
    let Expr::Function(f) = low else { return None };
    if f.name.0.len() != 1 || f.name.0.first()?.as_ident()?.value != SYMMETRIC {
        return None;
    }
    let FunctionArguments::List(list) = &f.args else {
        return None;
    };
    match list.args.as_slice() {
        [FunctionArg::Unnamed(FunctionArgExpr::Expr(x))] => Some(x.clone()),
        _ => None,
    }
}

/// A period `(start, end)`, sorted so start <= end as PostgreSQL does, with a NULL start
/// taking the end's value; an interval end counts from the start.
fn period(e: &Expr) -> Option<(Expr, Expr)> {
    let Expr::Tuple(items) = e else { return None };
    let [a, b] = items.as_slice() else {
        return None;
    };
    let b = if is_interval(b) {
        binary(nested(a.clone()), BinaryOperator::Plus, nested(b.clone()))
    } else {
        nested(b.clone())
    };
    let a = nested(a.clone());
    // Swap when a IS NULL or a > b: a NULL start takes the end, and the end becomes NULL.
    let swap = binary(
        Expr::IsNull(Box::new(a.clone())),
        BinaryOperator::Or,
        binary(a.clone(), BinaryOperator::Gt, b.clone()),
    );
    let pick = |then: &Expr, other: &Expr| Expr::Case {
        case_token: datafusion::sql::sqlparser::ast::helpers::attached_token::AttachedToken::empty(
        ),
        end_token: datafusion::sql::sqlparser::ast::helpers::attached_token::AttachedToken::empty(),
        operand: None,
        conditions: vec![datafusion::sql::sqlparser::ast::CaseWhen {
            condition: swap.clone(),
            result: then.clone(),
        }],
        else_result: Some(Box::new(other.clone())),
    };
    Some((pick(&b, &a), pick(&a, &b)))
}

fn is_interval(e: &Expr) -> bool {
    match e {
        Expr::Interval(_) => true,
        Expr::Cast { data_type, .. } => matches!(data_type, DataType::Interval { .. }),
        Expr::TypedString(t) => matches!(t.data_type, DataType::Interval { .. }),
        Expr::Nested(inner) => is_interval(inner),
        _ => false,
    }
}

/// The SQL standard's definition, which PostgreSQL's overlaps functions follow, NULLs
/// included: `(S1 > S2 AND (S1 < E2 OR E1 < E2)) OR (S2 > S1 AND (S2 < E1 OR E2 < E1)) OR
/// (S1 = S2 AND (E1 <> E2 OR E1 = E2))`.
fn overlaps(s1: Expr, e1: Expr, s2: Expr, e2: Expr) -> Expr {
    use BinaryOperator::{And, Eq, Gt, Lt, NotEq, Or};
    let side = |sa: &Expr, ea: &Expr, sb: &Expr, eb: &Expr| {
        binary(
            binary(sa.clone(), Gt, sb.clone()),
            And,
            nested(binary(
                binary(sa.clone(), Lt, eb.clone()),
                Or,
                binary(ea.clone(), Lt, eb.clone()),
            )),
        )
    };
    let same_start = binary(
        binary(s1.clone(), Eq, s2.clone()),
        And,
        nested(binary(
            binary(e1.clone(), NotEq, e2.clone()),
            Or,
            binary(e1.clone(), Eq, e2.clone()),
        )),
    );
    nested(binary(
        binary(
            nested(side(&s1, &e1, &s2, &e2)),
            Or,
            nested(side(&s2, &e2, &s1, &e1)),
        ),
        Or,
        nested(same_start),
    ))
}

fn binary(left: Expr, op: BinaryOperator, right: Expr) -> Expr {
    Expr::BinaryOp {
        left: Box::new(left),
        op,
        right: Box::new(right),
    }
}

fn nested(e: Expr) -> Expr {
    match e {
        Expr::Value(_) | Expr::Identifier(_) | Expr::CompoundIdentifier(_) | Expr::Nested(_) => e,
        other => Expr::Nested(Box::new(other)),
    }
}

#[cfg(test)]
mod tests {
    fn parsed(sql: &str) -> String {
        match crate::sql::parse::parse(sql) {
            Ok(mut stmts) => {
                for s in &mut stmts {
                    crate::sql::rewrite::rewrite(s);
                }
                stmts
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; ")
            }
            Err(e) => format!("error: {e:?}"),
        }
    }

    #[test]
    fn symmetric_between_becomes_two_betweens() {
        let sql = parsed("SELECT 5 BETWEEN SYMMETRIC CASE WHEN true AND true THEN 10 END AND 1");
        assert!(
            sql.contains(
                "5 BETWEEN CASE WHEN true AND true THEN 10 END AND 1 OR 5 BETWEEN 1 AND CASE"
            ),
            "{sql}"
        );
        let sql = parsed("SELECT 5 NOT BETWEEN SYMMETRIC 10 AND 1");
        assert!(
            sql.contains("(5 NOT BETWEEN 10 AND 1 AND 5 NOT BETWEEN 1 AND 10)"),
            "{sql}"
        );
        assert_eq!(
            parsed("SELECT 5 BETWEEN ASYMMETRIC 1 AND 10"),
            "SELECT 5 BETWEEN 1 AND 10"
        );
    }

    #[test]
    fn symmetric_without_and_is_a_syntax_error() {
        assert!(parsed("SELECT 5 BETWEEN SYMMETRIC 10").starts_with("error"));
    }
}
