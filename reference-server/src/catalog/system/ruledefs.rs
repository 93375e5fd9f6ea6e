//! PostgreSQL's deparsed texts of stored definitions: `pg_get_expr` (defaults, CHECK
//! expressions), `pg_get_constraintdef` and `pg_get_indexdef`, in both the plain form (every
//! operator parenthesised, `(0)::numeric`) pg_dump reads and the pretty one psql shows.
//!
//! Definitions are kept as SQL text, so the literal casts PostgreSQL's parse analysis would
//! add (`'x'::text`, `0::numeric` against a numeric column) are added here from the column
//! types.

use datafusion::sql::sqlparser::ast::{
    BinaryOperator, CastKind, Expr, UnaryOperator, Value, ValueWithSpan,
};
use datafusion::sql::sqlparser::dialect::PostgreSqlDialect;
use datafusion::sql::sqlparser::parser::Parser;

use super::relations::{Key, Rel, referenced};
use super::types::{format_type, quote_ident};
use crate::storage::ConstraintDef;

/// Column name → its type as `format_type` prints it without a modifier.
type ColumnTypes<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The type name `format_type` gives a column of `rel` (no modifier).
pub fn column_type(rel: &Rel, column: &str) -> Option<String> {
    let def = rel.table.def();
    let (_, f) = def.schema.column_with_name(column)?;
    let pg = crate::pgtypes::pg_type_of(f);
    Some(format_type(None, i64::from(pg.ty.oid()), None))
}

/// `pg_get_expr` of an expression over `rel`'s columns; `target` is the type a default
/// expression is coerced to (bare literals take it).
pub fn expr_text(sql: &str, rel: Option<&Rel>, target: Option<&str>, pretty: bool) -> String {
    let types = |c: &str| rel.and_then(|r| column_type(r, c));
    let Ok(e) = Parser::new(&PostgreSqlDialect {})
        .try_with_sql(sql)
        .and_then(|mut p| p.parse_expr())
    else {
        return sql.to_owned();
    };
    let d = Deparser {
        types: &types,
        pretty,
    };
    match (target, literal(&e)) {
        (Some(t), Some(Lit::Str(s))) => typed_string(&s, t),
        // A call (`now()`, `nextval('s'::regclass)`) reads as written.
        _ if matches!(e, Expr::Function(_)) => sql.trim().to_owned(),
        _ => d.expr(&e, Ctx::Top),
    }
}

/// `pg_get_constraintdef`: `qualify` when `public` is not on the search path (pg_dump).
pub fn constraint_def(rels: &[Rel], rel: &Rel, key: &Key, pretty: bool, qualify: bool) -> String {
    let cols = |c: &[String]| {
        c.iter()
            .map(|c| quote_ident(c))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match key.def {
        ConstraintDef::Unique {
            columns, primary, ..
        } => {
            let kind = if *primary { "PRIMARY KEY" } else { "UNIQUE" };
            format!("{kind} ({})", cols(columns))
        }
        ConstraintDef::Index { columns, .. } => format!("UNIQUE ({})", cols(columns)),
        ConstraintDef::Check { expr, .. } => {
            format!("CHECK ({})", expr_text(expr, Some(rel), None, pretty))
        }
        ConstraintDef::ForeignKey {
            columns,
            ref_table,
            ref_columns,
            on_delete,
            ..
        } => {
            let target = referenced(rels, rel, ref_table);
            let ref_cols = if ref_columns.is_empty() {
                target
                    .and_then(|t| t.keys().find(|k| k.is_primary()))
                    .map(|k| k.columns().to_vec())
                    .unwrap_or_default()
            } else {
                ref_columns.clone()
            };
            let name = match target {
                Some(t) if qualify || t.temporary != rel.temporary => {
                    format!("{}.{}", quote_ident(t.schema()), quote_ident(t.name()))
                }
                _ => quote_ident(ref_table),
            };
            format!(
                "FOREIGN KEY ({}) REFERENCES {name}({}){}",
                cols(columns),
                cols(&ref_cols),
                match on_delete {
                    crate::storage::FkAction::NoAction => "",
                    crate::storage::FkAction::Restrict => " ON DELETE RESTRICT",
                    crate::storage::FkAction::Cascade => " ON DELETE CASCADE",
                    crate::storage::FkAction::SetNull => " ON DELETE SET NULL",
                    crate::storage::FkAction::SetDefault => " ON DELETE SET DEFAULT",
                }
            )
        }
    }
}

/// `pg_get_indexdef(oid, column, pretty)`: the whole CREATE INDEX for column 0, else the
/// name of that key column.
pub fn index_def(rel: &Rel, key: &Key, column: i64) -> String {
    let names: Vec<String> = key.columns().iter().map(|c| quote_ident(c)).collect();
    if column > 0 {
        return usize::try_from(column - 1)
            .ok()
            .and_then(|i| names.get(i).cloned())
            .unwrap_or_default();
    }
    format!(
        "CREATE {}INDEX {} ON {}.{} USING btree ({})",
        if key.is_unique() { "UNIQUE " } else { "" },
        quote_ident(key.def.name()),
        quote_ident(rel.schema()),
        quote_ident(rel.name()),
        names.join(", ")
    )
}

/// A string literal as PostgreSQL prints a constant of type `ty`.
fn typed_string(s: &str, ty: &str) -> String {
    format!("'{}'::{ty}", s.replace('\'', "''"))
}

enum Lit {
    Int(String),
    Dec(String),
    Str(String),
}

fn literal(e: &Expr) -> Option<Lit> {
    match e {
        Expr::Value(ValueWithSpan { value, .. }) => match value {
            Value::Number(n, _) if n.contains(['.', 'e', 'E']) => Some(Lit::Dec(n.clone())),
            Value::Number(n, _) => Some(Lit::Int(n.clone())),
            Value::SingleQuotedString(s) => Some(Lit::Str(s.clone())),
            _ => None,
        },
        Expr::UnaryOp {
            op: UnaryOperator::Minus,
            expr,
        } => match literal(expr)? {
            Lit::Int(n) => Some(Lit::Int(format!("-{n}"))),
            Lit::Dec(n) => Some(Lit::Dec(format!("-{n}"))),
            Lit::Str(_) => None,
        },
        Expr::Nested(inner) => literal(inner),
        _ => None,
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Ctx {
    /// The whole expression.
    Top,
    /// An operand of AND / OR.
    Logic,
    /// Any other operand.
    Operand,
}

struct Deparser<'a> {
    types: ColumnTypes<'a>,
    pretty: bool,
}

const INT_TYPES: &[&str] = &["smallint", "integer", "bigint"];
const FLOAT_TYPES: &[&str] = &["numeric", "double precision", "real"];

impl Deparser<'_> {
    fn wrap(&self, s: String, ctx: Ctx, logic: bool) -> String {
        let bare = self.pretty && (ctx == Ctx::Top || (ctx == Ctx::Logic && !logic));
        if bare { s } else { format!("({s})") }
    }

    /// `x::ty`, parenthesised in the plain form unless `x` is a string literal.
    fn cast(&self, inner: &str, ty: &str, is_string: bool) -> String {
        if self.pretty || is_string {
            format!("{inner}::{ty}")
        } else {
            format!("({inner})::{ty}")
        }
    }

    fn type_of(&self, e: &Expr) -> Option<String> {
        match e {
            Expr::Identifier(id) => (self.types)(&id.value),
            Expr::CompoundIdentifier(p) => p.last().and_then(|id| (self.types)(&id.value)),
            Expr::Nested(inner) => self.type_of(inner),
            Expr::Cast { data_type, .. } => Some(data_type.to_string().to_ascii_lowercase()),
            _ => None,
        }
    }

    /// An operand, given the type of the other side of its operator.
    fn operand(&self, e: &Expr, other: Option<&str>) -> String {
        let Some(lit) = literal(e) else {
            return match (self.type_of(e).as_deref(), other) {
                (Some("character varying" | "character"), Some("text") | None)
                    if matches!(e, Expr::Identifier(_)) =>
                {
                    self.cast(&self.expr(e, Ctx::Operand), "text", false)
                }
                (Some(t), Some("numeric")) if INT_TYPES.contains(&t) => {
                    self.cast(&self.expr(e, Ctx::Operand), "numeric", false)
                }
                _ => self.expr(e, Ctx::Operand),
            };
        };
        match lit {
            Lit::Str(s) => {
                let ty = match other {
                    Some("character varying" | "character") | None => "text",
                    Some(t) => t,
                };
                typed_string(&s, ty)
            }
            Lit::Int(n) if n.starts_with('-') => typed_string(&n, "integer"),
            Lit::Dec(n) if n.starts_with('-') => typed_string(&n, "numeric"),
            Lit::Int(n) => match other {
                Some(t) if FLOAT_TYPES.contains(&t) => self.cast(&n, t, false),
                _ => n,
            },
            Lit::Dec(n) => match other {
                Some(t @ ("double precision" | "real")) => self.cast(&n, t, false),
                _ => n,
            },
        }
    }

    /// The type an operand contributes to its operator's other side.
    fn side_type(&self, e: &Expr) -> Option<String> {
        match literal(e) {
            Some(Lit::Dec(_)) => Some("numeric".into()),
            Some(Lit::Int(_)) => Some("integer".into()),
            Some(Lit::Str(_)) => None,
            None => match self.type_of(e) {
                Some(t) if t == "character varying" || t == "character" => Some("text".into()),
                t => t,
            },
        }
    }

    fn binary(&self, l: &Expr, op: &BinaryOperator, r: &Expr, ctx: Ctx) -> String {
        let logic = matches!(op, BinaryOperator::And | BinaryOperator::Or);
        let s = if logic {
            format!(
                "{} {op} {}",
                self.expr(l, Ctx::Logic),
                self.expr(r, Ctx::Logic)
            )
        } else {
            let (lt, rt) = (self.side_type(l), self.side_type(r));
            // A decimal literal against an integer column turns the column numeric.
            let promote = |t: Option<String>| match t {
                Some(t) if INT_TYPES.contains(&t.as_str()) => Some("numeric".to_owned()),
                t => t,
            };
            let (lt2, rt2) = match (literal(l), literal(r)) {
                (Some(Lit::Dec(_)), _) => (lt.clone(), promote(rt.clone())),
                (_, Some(Lit::Dec(_))) => (promote(lt.clone()), rt.clone()),
                _ => (lt.clone(), rt.clone()),
            };
            let left = self.operand(l, rt2.as_deref().or(lt2.as_deref()));
            let right = self.operand(r, lt2.as_deref().or(rt2.as_deref()));
            format!("{left} {op} {right}")
        };
        self.wrap(s, ctx, logic)
    }

    fn expr(&self, e: &Expr, ctx: Ctx) -> String {
        match e {
            Expr::Nested(inner) => self.expr(inner, ctx),
            Expr::Identifier(id) => quote_ident(&id.value),
            Expr::BinaryOp { left, op, right } => self.binary(left, op, right, ctx),
            Expr::Between {
                expr,
                negated: false,
                low,
                high,
            } => {
                let ge = Expr::BinaryOp {
                    left: expr.clone(),
                    op: BinaryOperator::GtEq,
                    right: low.clone(),
                };
                let le = Expr::BinaryOp {
                    left: expr.clone(),
                    op: BinaryOperator::LtEq,
                    right: high.clone(),
                };
                self.binary(&ge, &BinaryOperator::And, &le, ctx)
            }
            Expr::InList {
                expr,
                list,
                negated,
            } => {
                let ty = self.side_type(expr);
                let items: Vec<String> = list
                    .iter()
                    .map(|i| self.operand(i, ty.as_deref()))
                    .collect();
                let (op, quant) = if *negated {
                    ("<>", "ALL")
                } else {
                    ("=", "ANY")
                };
                let left = self.operand(expr, ty.as_deref());
                let s = format!("{left} {op} {quant} (ARRAY[{}])", items.join(", "));
                self.wrap(s, ctx, false)
            }
            Expr::IsNull(inner) => self.wrap(
                format!("{} IS NULL", self.expr(inner, Ctx::Operand)),
                ctx,
                false,
            ),
            Expr::IsNotNull(inner) => self.wrap(
                format!("{} IS NOT NULL", self.expr(inner, Ctx::Operand)),
                ctx,
                false,
            ),
            Expr::UnaryOp {
                op: UnaryOperator::Not,
                expr,
            } => self.wrap(format!("NOT {}", self.expr(expr, Ctx::Operand)), ctx, false),
            Expr::Cast {
                kind: CastKind::DoubleColon,
                expr,
                data_type,
                ..
            } => {
                let ty = data_type.to_string().to_ascii_lowercase();
                match literal(expr) {
                    Some(Lit::Str(s)) => typed_string(&s, &ty),
                    _ => self.cast(&self.expr(expr, Ctx::Operand), &ty, false),
                }
            }
            _ => match literal(e) {
                Some(Lit::Str(s)) => typed_string(&s, "text"),
                Some(Lit::Int(n) | Lit::Dec(n)) if n.starts_with('-') => {
                    typed_string(&n, "integer")
                }
                _ => e.to_string(),
            },
        }
    }
}
