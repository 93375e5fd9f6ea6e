//! `regexp_matches` and `regexp_split_to_table` as set-returning functions in FROM (with
//! constant arguments), `WITH ORDINALITY` included: PostgreSQL's rows, computed when the
//! query is planned. An alias without a column list names the single column, as in
//! PostgreSQL (`FROM regexp_matches(...) AS m` has column `m`).

use std::ops::ControlFlow;
use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, Int64Array, RecordBatch};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::catalog::{TableFunctionArgs, TableFunctionImpl, TableProvider};
use datafusion::common::{DataFusionError, Result as DfResult, ScalarValue};
use datafusion::datasource::MemTable;
use datafusion::logical_expr::Expr;
use datafusion::prelude::SessionContext;
use datafusion::sql::sqlparser::ast::{
    Ident, ObjectName, ObjectNamePart, Statement, TableAliasColumnDef, TableFactor, VisitMut,
    VisitorMut,
};

use super::pg_udf::{sql_err, text};

const FUNCTIONS: [&str; 2] = ["regexp_matches", "regexp_split_to_table"];

pub fn register(ctx: &SessionContext) {
    for name in FUNCTIONS {
        for ordinality in [false, true] {
            let f = RegexpSrf { name, ordinality };
            ctx.register_udtf(&f.registered_name(), Arc::new(f));
        }
    }
}

/// Names the single column of an aliased call, and turns `WITH ORDINALITY` into the
/// ordinality form of the function (DataFusion's planner has no ordinality for functions).
pub fn rewrite(stmt: &mut Statement) {
    let _ = stmt.visit(&mut Calls);
}

struct Calls;

impl VisitorMut for Calls {
    type Break = ();

    fn pre_visit_table_factor(&mut self, factor: &mut TableFactor) -> ControlFlow<()> {
        let TableFactor::Table {
            name,
            args: Some(_),
            alias,
            with_ordinality,
            ..
        } = factor
        else {
            return ControlFlow::Continue(());
        };
        let Some(f) = name
            .0
            .last()
            .and_then(|p| p.as_ident())
            .map(|i| i.value.to_ascii_lowercase())
            .and_then(|n| FUNCTIONS.into_iter().find(|f| *f == n))
        else {
            return ControlFlow::Continue(());
        };
        if *with_ordinality {
            *with_ordinality = false;
            let ord = RegexpSrf {
                name: f,
                ordinality: true,
            };
            *name = ObjectName(vec![ObjectNamePart::Identifier(Ident::new(
                ord.registered_name(),
            ))]);
        } else if let Some(alias) = alias
            && alias.columns.is_empty()
        {
            alias.columns = vec![TableAliasColumnDef {
                name: alias.name.clone(),
                data_type: None,
            }];
        }
        ControlFlow::Continue(())
    }
}

#[derive(Debug)]
struct RegexpSrf {
    name: &'static str,
    ordinality: bool,
}

impl RegexpSrf {
    fn registered_name(&self) -> String {
        if self.ordinality {
            // DataFusion looks table functions up by their printed name, so the name must
            // print without quotes.
            format!("{}__with_ordinality", self.name)
        } else {
            self.name.to_owned()
        }
    }

    fn rows(&self, args: &[String]) -> DfResult<(DataType, ArrayRef, usize)> {
        let [s, pattern, rest @ ..] = args else {
            return Err(sql_err(
                "42883",
                format!("function {}() needs a string and a pattern", self.name),
            ));
        };
        let flags = rest.first().map_or("", String::as_str);
        if rest.len() > 1 || flags.chars().any(|c| !matches!(c, 'g' | 'i' | 'c')) {
            return Err(sql_err(
                "22023",
                format!("invalid regular expression option: \"{flags}\""),
            ));
        }
        let re = regex::RegexBuilder::new(pattern)
            .case_insensitive(flags.contains('i'))
            .size_limit(1 << 20)
            .build()
            .map_err(|e| sql_err("2201B", format!("invalid regular expression: {e}")))?;
        if self.name == "regexp_matches" {
            let rows = matches(&re, s, flags.contains('g'));
            let n = rows.len();
            let array =
                ScalarValue::iter_to_array(rows.into_iter().map(|r| {
                    ScalarValue::List(ScalarValue::new_list_nullable(&r, &DataType::Utf8))
                }));
            let array = if n == 0 {
                datafusion::arrow::array::new_empty_array(&list_type())
            } else {
                array?
            };
            return Ok((list_type(), array, n));
        }
        let pieces = super::pg_strings::split(&re, s);
        let n = pieces.len();
        let array: ArrayRef = Arc::new(datafusion::arrow::array::StringArray::from(pieces));
        Ok((DataType::Utf8, array, n))
    }
}

fn list_type() -> DataType {
    DataType::List(Arc::new(Field::new_list_field(DataType::Utf8, true)))
}

/// Each match's capture groups (NULL for a group that did not take part), or the whole
/// match when the pattern has none; every match with `g`, else the first.
fn matches(re: &regex::Regex, s: &str, global: bool) -> Vec<Vec<ScalarValue>> {
    let mut out = Vec::new();
    for caps in re.captures_iter(s) {
        let row = if caps.len() > 1 {
            caps.iter()
                .skip(1)
                .map(|m| ScalarValue::Utf8(m.map(|m| m.as_str().to_owned())))
                .collect()
        } else {
            vec![ScalarValue::Utf8(
                caps.get(0).map(|m| m.as_str().to_owned()),
            )]
        };
        out.push(row);
        if !global {
            break;
        }
    }
    out
}

impl TableFunctionImpl for RegexpSrf {
    fn call_with_args(&self, args: TableFunctionArgs) -> DfResult<Arc<dyn TableProvider>> {
        let mut values = Vec::new();
        for e in args.exprs() {
            match e {
                Expr::Literal(v, _) if v.is_null() => {
                    values.clear();
                    break;
                }
                Expr::Literal(v, _) if text(v).is_some() => {
                    values.push(text(v).unwrap_or_default().to_owned());
                }
                _ => {
                    return Err(DataFusionError::External(Box::new(
                        super::SqlError::unsupported(format!(
                            "{} in FROM takes constant text arguments",
                            self.name
                        )),
                    )));
                }
            }
        }
        // A NULL argument gives no rows (the functions are strict).
        let (ty, array, n) = if values.is_empty() && !args.exprs().is_empty() {
            let ty = if self.name == "regexp_matches" {
                list_type()
            } else {
                DataType::Utf8
            };
            (
                ty.clone(),
                datafusion::arrow::array::new_empty_array(&ty),
                0,
            )
        } else {
            self.rows(&values)?
        };
        let mut fields = vec![Field::new(self.name, ty, true)];
        let mut columns = vec![array];
        if self.ordinality {
            fields.push(Field::new("ordinality", DataType::Int64, false));
            let ord: Int64Array = (1..=i64::try_from(n).unwrap_or(i64::MAX)).collect();
            columns.push(Arc::new(ord));
        }
        let schema = Arc::new(Schema::new(fields));
        let batch = RecordBatch::try_new(Arc::clone(&schema), columns)?;
        Ok(Arc::new(MemTable::try_new(schema, vec![vec![batch]])?))
    }
}
