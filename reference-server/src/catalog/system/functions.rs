//! Catalog functions clients call (`format_type`, `pg_get_userbyid`, `pg_table_is_visible`,
//! the `reg*` conversions the SQL rewrite turns `::regclass` casts into, ...).

use std::sync::{Arc, OnceLock};

use datafusion::arrow::datatypes::{DataType, Field, TimeUnit};
use datafusion::common::{DataFusionError, Result as DfResult, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, TypeSignature,
    Volatility,
};
use datafusion::prelude::SessionContext;

use super::Sys;
use super::oids::{
    INFORMATION_SCHEMA_NS, PG_CATALOG_NS, PG_TOAST_NS, PUBLIC_NS, SYSTEM_RELATIONS, TEMP_NS,
    TEMP_NS_NAME, TEMP_TOAST_NS, TEMP_TOAST_NS_NAME,
};
use super::pg_catalog::role_list;
use super::relations::{Object, Rel, object, object_named, relations};
use super::ruledefs::{constraint_def, expr_text, index_def};
use super::table::{Row, Val};
use super::types::{builtin, builtin_by_name, format_type, quote_ident};
use super::view_rels::{view_named, view_rels};
use crate::sql::pg_functions::Tagged;

type Body = dyn Fn(&Sys, &[ScalarValue]) -> DfResult<ScalarValue> + Send + Sync;

/// A function evaluated row by row over scalars (catalog queries are small).
struct RowFn {
    name: &'static str,
    signature: Signature,
    ret: DataType,
    sys: Arc<Sys>,
    body: Box<Body>,
}

impl std::fmt::Debug for RowFn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

impl PartialEq for RowFn {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}
impl Eq for RowFn {}
impl std::hash::Hash for RowFn {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.name.hash(state);
    }
}

impl ScalarUDFImpl for RowFn {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> DfResult<DataType> {
        Ok(self.ret.clone())
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DfResult<ColumnarValue> {
        let all_scalar = args
            .args
            .iter()
            .all(|a| matches!(a, ColumnarValue::Scalar(_)));
        if all_scalar {
            let scalars: Vec<ScalarValue> = args
                .args
                .iter()
                .filter_map(|a| match a {
                    ColumnarValue::Scalar(s) => Some(s.clone()),
                    ColumnarValue::Array(_) => None,
                })
                .collect();
            let v = (self.body)(&self.sys, &scalars)?;
            return Ok(ColumnarValue::Scalar(cast_to(v, &self.ret)?));
        }
        let n = args.number_rows;
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let mut out = Vec::with_capacity(n);
        for row in 0..n {
            let scalars = arrays
                .iter()
                .map(|a| ScalarValue::try_from_array(a, row))
                .collect::<DfResult<Vec<_>>>()?;
            out.push(cast_to((self.body)(&self.sys, &scalars)?, &self.ret)?);
        }
        if out.is_empty() {
            return Ok(ColumnarValue::Array(
                datafusion::arrow::array::new_empty_array(&self.ret),
            ));
        }
        Ok(ColumnarValue::Array(ScalarValue::iter_to_array(out)?))
    }
}

fn cast_to(v: ScalarValue, ty: &DataType) -> DfResult<ScalarValue> {
    if &v.data_type() == ty {
        Ok(v)
    } else {
        v.cast_to(ty)
    }
}

fn add(
    ctx: &SessionContext,
    sys: &Arc<Sys>,
    name: &'static str,
    arities: &[usize],
    ret: DataType,
    body: impl Fn(&Sys, &[ScalarValue]) -> DfResult<ScalarValue> + Send + Sync + 'static,
) {
    ctx.register_udf(row_fn(sys, name, arities, ret, body));
}

fn row_fn(
    sys: &Arc<Sys>,
    name: &'static str,
    arities: &[usize],
    ret: DataType,
    body: impl Fn(&Sys, &[ScalarValue]) -> DfResult<ScalarValue> + Send + Sync + 'static,
) -> ScalarUDF {
    let sigs = arities
        .iter()
        .map(|&n| {
            if n == 0 {
                TypeSignature::Nullary
            } else {
                TypeSignature::Any(n)
            }
        })
        .collect();
    let f = RowFn {
        name,
        signature: Signature::one_of(sigs, Volatility::Stable),
        ret,
        sys: sys.clone(),
        body: Box::new(body),
    };
    ScalarUDF::new_from_impl(f)
}

/// An integer argument (NULL or non-integer → None).
fn int_arg(args: &[ScalarValue], i: usize) -> Option<i64> {
    let v = args.get(i)?;
    if v.is_null() {
        return None;
    }
    match v.cast_to(&DataType::Int64).ok()? {
        ScalarValue::Int64(x) => x,
        _ => None,
    }
}

/// A text argument (NULL → None; other types are rendered as text).
fn text_arg(args: &[ScalarValue], i: usize) -> Option<String> {
    let v = args.get(i)?;
    if v.is_null() {
        return None;
    }
    match v {
        ScalarValue::Utf8(s) | ScalarValue::LargeUtf8(s) | ScalarValue::Utf8View(s) => s.clone(),
        other => Some(other.to_string()),
    }
}

fn text(v: Option<String>) -> ScalarValue {
    ScalarValue::Utf8(v)
}

fn boolean(v: Option<bool>) -> ScalarValue {
    ScalarValue::Boolean(v)
}

fn oid(v: Option<i64>) -> ScalarValue {
    ScalarValue::UInt32(v.and_then(|v| u32::try_from(v).ok()))
}

/// When the server started, for `pg_postmaster_start_time()` and `backend_start`.
pub fn start_time_micros() -> i64 {
    static START: OnceLock<i64> = OnceLock::new();
    *START.get_or_init(|| chrono::Utc::now().timestamp_micros())
}

/// Names PostgreSQL's `pg_proc` would list for the functions below.
const FUNCTIONS: &[(&str, i64)] = &[
    ("array_lower", 23),
    ("array_upper", 23),
    ("col_description", 25),
    ("current_schemas", 1003),
    ("format_type", 25),
    ("has_database_privilege", 16),
    ("has_schema_privilege", 16),
    ("has_table_privilege", 16),
    ("obj_description", 25),
    ("pg_encoding_to_char", 19),
    ("pg_get_constraintdef", 25),
    ("pg_get_expr", 25),
    ("pg_get_indexdef", 25),
    ("pg_get_userbyid", 19),
    ("pg_is_in_recovery", 16),
    ("pg_postmaster_start_time", 1184),
    ("pg_table_is_visible", 16),
    ("pg_type_is_visible", 16),
    ("quote_ident", 25),
    ("shobj_description", 25),
    ("to_regclass", 2205),
    ("to_regtype", 2206),
];

/// `pg_proc` rows for the catalog functions (OIDs above the built-in range, stable by name).
pub fn pg_proc_rows() -> Vec<Row> {
    FUNCTIONS
        .iter()
        .zip(0_i64..)
        .map(|((name, ret), i)| {
            vec![
                ("oid", Val::Int(9000 + i)),
                ("proname", (*name).into()),
                ("pronamespace", Val::Int(PG_CATALOG_NS)),
                ("proowner", Val::Int(super::oids::BOOTSTRAP_ROLE)),
                ("prolang", Val::Int(12)),
                ("procost", Val::Float(1.0)),
                ("prokind", "f".into()),
                ("provolatile", "s".into()),
                ("proparallel", "s".into()),
                ("prorettype", Val::Int(*ret)),
                ("prosrc", (*name).into()),
            ]
        })
        .collect()
}

pub fn register(ctx: &SessionContext, sys: &Arc<Sys>) {
    use DataType::{Boolean, Int32, UInt32, Utf8};
    add(ctx, sys, "pg_table_is_visible", &[1], Boolean, |sys, a| {
        let rels = relations(sys);
        Ok(boolean(int_arg(a, 0).map(|o| {
            match object(&rels, o) {
                Some(found) => visible(sys, &rels, found.rel(), &found.name()),
                // information_schema is not on the search path; pg_catalog always is.
                None => !SYSTEM_RELATIONS
                    .iter()
                    .any(|(schema, _, oid, ..)| *oid == o && *schema == "information_schema"),
            }
        })))
    });
    for name in [
        "pg_type_is_visible",
        "pg_function_is_visible",
        "pg_collation_is_visible",
        "pg_opclass_is_visible",
    ] {
        // Every object lives in pg_catalog or public, both always on the search path.
        add(ctx, sys, name, &[1], Boolean, |_, a| {
            Ok(boolean(int_arg(a, 0).map(|_| true)))
        });
    }
    for name in [
        "has_table_privilege",
        "has_schema_privilege",
        "has_database_privilege",
        "has_column_privilege",
        "has_any_column_privilege",
        "has_function_privilege",
        "has_sequence_privilege",
    ] {
        // No privilege system: every role may do everything.
        add(ctx, sys, name, &[2, 3, 4], Boolean, |_, _| {
            Ok(boolean(Some(true)))
        });
    }
    add(ctx, sys, "format_type", &[2], Utf8, |sys, a| {
        Ok(text(
            int_arg(a, 0).map(|o| format_type(Some(sys), o, int_arg(a, 1))),
        ))
    });
    // SQL's `current_user` & co (rewritten to calls); no SET ROLE, so all name the
    // session's user.
    for name in ["current_user", "session_user", "user", "current_role"] {
        let f = row_fn(sys, name, &[0], Utf8, |sys, _| {
            Ok(text(Some(sys.session_user())))
        });
        ctx.register_udf(Tagged::udf(f, "name"));
    }
    let f = row_fn(sys, "current_catalog", &[0], Utf8, |_, _| {
        Ok(text(Some(crate::catalog::DATABASE.to_owned())))
    });
    ctx.register_udf(Tagged::udf(f, "name"));
    add(ctx, sys, "pg_get_userbyid", &[1], Utf8, |sys, a| {
        Ok(text(int_arg(a, 0).map(|o| {
            role_list(sys)
                .into_iter()
                .find(|(r, _)| *r == o)
                .map_or_else(|| format!("unknown (OID={o})"), |(_, n)| n)
        })))
    });
    // Stored expressions are kept as (PostgreSQL-typed) SQL text; pretty-printing drops
    // the parentheses plain output puts around every operator.
    add(ctx, sys, "pg_get_expr", &[2, 3], Utf8, |sys, a| {
        let pretty = matches!(a.get(2), Some(ScalarValue::Boolean(Some(true))));
        let rels = relations(sys);
        let rel = int_arg(a, 1).and_then(|o| object(&rels, o).map(|ob| ob.rel().clone()));
        Ok(text(
            text_arg(a, 0).map(|e| expr_text(&e, rel.as_ref(), None, pretty)),
        ))
    });
    add(ctx, sys, "pg_get_constraintdef", &[1, 2], Utf8, |sys, a| {
        let pretty = matches!(a.get(1), Some(ScalarValue::Boolean(Some(true))));
        let rels = relations(sys);
        let qualify = !public_on_path(sys);
        Ok(text(int_arg(a, 0).and_then(|o| {
            rels.iter().find_map(|r| {
                r.keys()
                    .find(|k| k.has_constraint() && r.oids.constraint(k.pos) == o)
                    .map(|k| constraint_def(&rels, r, &k, pretty, qualify))
            })
        })))
    });
    add(ctx, sys, "pg_get_indexdef", &[1, 3], Utf8, |sys, a| {
        let rels = relations(sys);
        let column = int_arg(a, 1).unwrap_or(0);
        Ok(text(int_arg(a, 0).and_then(|o| match object(&rels, o)? {
            Object::Index(r, k) => Some(index_def(r, &k, column)),
            _ => None,
        })))
    });
    add(ctx, sys, "pg_get_serial_sequence", &[2], Utf8, |sys, a| {
        let rels = relations(sys);
        let (Some(table), Some(column)) = (text_arg(a, 0), text_arg(a, 1)) else {
            return Ok(text(None));
        };
        let (schema, name) = split_name(&table);
        let seq = object_named(&rels, schema.as_deref(), &name)
            .and_then(|o| rels.iter().find(|r| r.oids.rel == o))
            .and_then(|r| {
                let i = r.attnum(&column)?.checked_sub(1)?;
                let seq = r
                    .sequences()
                    .into_iter()
                    .find(|s| i64::try_from(s.column).is_ok_and(|c| c == i))?;
                Some(format!(
                    "{}.{}",
                    quote_ident(r.schema()),
                    quote_ident(&seq.name)
                ))
            });
        Ok(text(seq))
    });
    // A view by OID or (text argument) by name; a second argument (pretty, or a wrap
    // column) asks for the pretty form.
    add(ctx, sys, "pg_get_viewdef", &[1, 2], Utf8, |sys, a| {
        let oid = match a.first() {
            Some(ScalarValue::Utf8(s) | ScalarValue::LargeUtf8(s) | ScalarValue::Utf8View(s)) => {
                s.as_deref().and_then(|s| relation_oid(sys, s))
            }
            _ => int_arg(a, 0),
        };
        let pretty = match a.get(1) {
            Some(ScalarValue::Boolean(b)) => b.unwrap_or(false),
            Some(other) => !other.is_null(),
            None => false,
        };
        let views = view_rels(sys);
        Ok(text(oid.and_then(|o| {
            let v = views.iter().find(|v| v.oids.rel == o)?;
            Some(if pretty {
                v.pretty_definition()
            } else {
                v.definition()
            })
        })))
    });
    for name in [
        "pg_get_triggerdef",
        "pg_get_partkeydef",
        // pg_rewrite has no rows to name (a view's rule is not listed there).
        "pg_get_ruledef",
        "pg_get_statisticsobjdef_columns",
        "pg_get_function_result",
        "pg_get_function_arguments",
        "pg_get_function_identity_arguments",
        // No COMMENT ON yet.
        "obj_description",
        "col_description",
        "shobj_description",
    ] {
        add(ctx, sys, name, &[1, 2, 3], Utf8, |_, _| Ok(text(None)));
    }
    // The privileges an object of a kind has before any GRANT (pg_dump compares ACLs to it).
    add(
        ctx,
        sys,
        "acldefault",
        &[2],
        DataType::List(Arc::new(Field::new("item", Utf8, true))),
        |sys, a| {
            let owner = int_arg(a, 1).map(|o| {
                role_list(sys)
                    .into_iter()
                    .find(|(r, _)| *r == o)
                    .map_or_else(|| o.to_string(), |(_, n)| n)
            });
            let (Some(kind), Some(o)) = (text_arg(a, 0), owner) else {
                return Ok(ScalarValue::Null);
            };
            let items: Vec<String> = match kind.as_str() {
                "r" => vec![format!("{o}=arwdDxt/{o}")],
                "s" | "S" => vec![format!("{o}=rwU/{o}")],
                "d" => vec![format!("=Tc/{o}"), format!("{o}=CTc/{o}")],
                "f" => vec![format!("=X/{o}"), format!("{o}=X/{o}")],
                "l" | "T" => vec![format!("=U/{o}"), format!("{o}=U/{o}")],
                "n" => vec![format!("{o}=UC/{o}")],
                _ => vec![format!("{o}=")],
            };
            let items: Vec<ScalarValue> = items
                .into_iter()
                .map(|s| ScalarValue::Utf8(Some(s)))
                .collect();
            Ok(ScalarValue::List(ScalarValue::new_list_nullable(
                &items, &Utf8,
            )))
        },
    );
    add(ctx, sys, "pg_encoding_to_char", &[1], Utf8, |_, a| {
        Ok(text(int_arg(a, 0).map(|e| {
            match e {
                0 => "SQL_ASCII",
                6 => "UTF8",
                _ => "",
            }
            .to_owned()
        })))
    });
    add(
        ctx,
        sys,
        "pg_relation_is_publishable",
        &[1],
        Boolean,
        |_, _| Ok(boolean(Some(false))),
    );
    add(ctx, sys, "pg_is_in_recovery", &[0], Boolean, |_, _| {
        Ok(boolean(Some(false)))
    });
    add(ctx, sys, "pg_tablespace_location", &[1], Utf8, |_, _| {
        Ok(text(Some(String::new())))
    });
    add(
        ctx,
        sys,
        "pg_postmaster_start_time",
        &[0],
        DataType::Timestamp(TimeUnit::Microsecond, Some("+00:00".into())),
        |_, _| {
            Ok(ScalarValue::TimestampMicrosecond(
                Some(start_time_micros()),
                Some("+00:00".into()),
            ))
        },
    );
    add(ctx, sys, "quote_ident", &[1], Utf8, |_, a| {
        Ok(text(text_arg(a, 0).map(|s| quote_ident(&s))))
    });
    add(
        ctx,
        sys,
        "current_schemas",
        &[1],
        DataType::List(Arc::new(Field::new("item", Utf8, true))),
        |sys, a| {
            let implicit = matches!(a.first(), Some(ScalarValue::Boolean(Some(true))));
            let public = public_on_path(sys).then_some("public");
            let names: Vec<ScalarValue> = implicit
                .then_some("pg_catalog")
                .into_iter()
                .chain(public)
                .map(|s| ScalarValue::Utf8(Some(s.to_owned())))
                .collect();
            Ok(ScalarValue::List(ScalarValue::new_list_nullable(
                &names, &Utf8,
            )))
        },
    );
    // `json_build_object(k1, v1, ...)` → a JSON object (SQLAlchemy's column reflection).
    add(
        ctx,
        sys,
        "json_build_object",
        &[0, 2, 4, 6, 8, 10, 12, 14, 16],
        Utf8,
        |_, a| {
            let mut obj = serde_json::Map::new();
            for pair in a.chunks(2) {
                if let [k, v] = pair {
                    let key = text_arg(std::slice::from_ref(k), 0).unwrap_or_default();
                    let value = match v {
                        v if v.is_null() => serde_json::Value::Null,
                        ScalarValue::Boolean(Some(b)) => serde_json::Value::Bool(*b),
                        ScalarValue::Int16(_) | ScalarValue::Int32(_) | ScalarValue::Int64(_) => {
                            serde_json::Value::from(int_arg(std::slice::from_ref(v), 0))
                        }
                        other => serde_json::Value::String(
                            text_arg(std::slice::from_ref(other), 0).unwrap_or_default(),
                        ),
                    };
                    obj.insert(key, value);
                }
            }
            Ok(text(Some(serde_json::Value::Object(obj).to_string())))
        },
    );
    add(ctx, sys, "array_upper", &[2], Int32, |_, a| {
        Ok(ScalarValue::Int32(array_len(a).filter(|n| *n > 0)))
    });
    add(ctx, sys, "array_lower", &[2], Int32, |_, a| {
        Ok(ScalarValue::Int32(
            array_len(a).filter(|n| *n > 0).map(|_| 1),
        ))
    });

    // `::regclass` & co, produced by the SQL rewrite: input (name or OID) → OID ...
    add(ctx, sys, "regclass", &[1], UInt32, |sys, a| {
        reg_in(a, |s| relation_oid(sys, s), "relation")
    });
    add(ctx, sys, "regtype", &[1], UInt32, |sys, a| {
        reg_in(a, |s| type_oid(sys, s), "type")
    });
    add(ctx, sys, "regnamespace", &[1], UInt32, |_, a| {
        reg_in(a, namespace_oid, "schema")
    });
    add(ctx, sys, "regrole", &[1], UInt32, |sys, a| {
        reg_in(
            a,
            |s| {
                role_list(sys)
                    .into_iter()
                    .find(|(_, n)| n == s)
                    .map(|(o, _)| o)
            },
            "role",
        )
    });
    for name in ["regproc", "regprocedure"] {
        // `regproc` catalog columns hold names, so the cast yields the unqualified name.
        add(ctx, sys, name, &[1], Utf8, |_, a| {
            Ok(text(text_arg(a, 0).map(|s| {
                let (_, name) = split_name(s.split('(').next().unwrap_or(&s));
                name
            })))
        });
    }
    add(ctx, sys, "to_regclass", &[1], UInt32, |sys, a| {
        Ok(oid(text_arg(a, 0).and_then(|s| relation_oid(sys, &s))))
    });
    add(ctx, sys, "to_regtype", &[1], UInt32, |sys, a| {
        Ok(oid(text_arg(a, 0).and_then(|s| type_oid(sys, &s))))
    });
    // ... and OID → name, for `::regclass::text`.
    add(ctx, sys, "regclass_out", &[1], Utf8, |sys, a| {
        Ok(text(int_arg(a, 0).map(|o| {
            relation_name(sys, o).unwrap_or_else(|| o.to_string())
        })))
    });
    add(ctx, sys, "regtype_out", &[1], Utf8, |sys, a| {
        Ok(text(int_arg(a, 0).map(|o| {
            if o == 0 {
                "-".to_owned()
            } else {
                format_type(Some(sys), o, None)
            }
        })))
    });
    add(ctx, sys, "regnamespace_out", &[1], Utf8, |_, a| {
        Ok(text(int_arg(a, 0).map(|o| {
            namespace_name(o).unwrap_or_else(|| o.to_string())
        })))
    });
    add(ctx, sys, "regrole_out", &[1], Utf8, |sys, a| {
        Ok(text(int_arg(a, 0).map(|o| {
            role_list(sys)
                .into_iter()
                .find(|(r, _)| *r == o)
                .map_or_else(|| o.to_string(), |(_, n)| n)
        })))
    });
    for name in ["regproc_out", "regprocedure_out"] {
        add(ctx, sys, name, &[1], Utf8, |_, a| Ok(text(text_arg(a, 0))));
    }
}

fn array_len(a: &[ScalarValue]) -> Option<i32> {
    if int_arg(a, 1) != Some(1) {
        return None;
    }
    match a.first()? {
        ScalarValue::List(l) => {
            let v = l.value_length(0);
            (!datafusion::arrow::array::Array::is_null(l.as_ref(), 0)).then_some(v)
        }
        _ => None,
    }
}

/// A `reg*` input: an OID (number) passes through; a name is looked up, and a missing one is
/// PostgreSQL's error.
fn reg_in(
    args: &[ScalarValue],
    lookup: impl Fn(&str) -> Option<i64>,
    what: &str,
) -> DfResult<ScalarValue> {
    if let Some(
        ScalarValue::Int8(_)
        | ScalarValue::Int16(_)
        | ScalarValue::Int32(_)
        | ScalarValue::Int64(_)
        | ScalarValue::UInt32(_)
        | ScalarValue::UInt64(_),
    ) = args.first()
    {
        return Ok(oid(int_arg(args, 0)));
    }
    let Some(s) = text_arg(args, 0) else {
        return Ok(oid(None));
    };
    let s = s.trim();
    if let Ok(n) = s.parse::<i64>() {
        return Ok(oid(Some(n)));
    }
    if s == "-" {
        return Ok(oid(Some(0)));
    }
    lookup(s).map(|o| oid(Some(o))).ok_or_else(|| {
        let code = if what == "relation" { "42P01" } else { "42704" };
        DataFusionError::External(Box::new(crate::sql::SqlError::new(
            code,
            format!("{what} \"{s}\" does not exist"),
        )))
    })
}

/// Splits `schema.name` (either part possibly double-quoted) and folds unquoted parts to
/// lower case, as PostgreSQL's name parsing does.
fn split_name(s: &str) -> (Option<String>, String) {
    let mut parts = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            '.' if !quoted => parts.push(std::mem::take(&mut cur)),
            c if quoted => cur.push(c),
            c => cur.push(c.to_ascii_lowercase()),
        }
    }
    parts.push(cur);
    let name = parts.pop().unwrap_or_default();
    (parts.pop(), name)
}

/// Whether `public` is on the session's `search_path` (pg_dump empties it, and then
/// relation names print schema-qualified).
pub(super) fn public_on_path(sys: &Sys) -> bool {
    crate::session::lock(&sys.settings)
        .get("search_path")
        .is_none_or(|p| p.split(',').any(|s| s.trim().trim_matches('"') == "public"))
}

fn relation_oid(sys: &Sys, s: &str) -> Option<i64> {
    let (schema, name) = split_name(s);
    let rels = relations(sys);
    let system = |want: Option<&str>| {
        SYSTEM_RELATIONS
            .iter()
            .find(|(sch, n, ..)| {
                *n == name
                    && want.is_none_or(|w| w == *sch)
                    && (want.is_some() || *sch == "pg_catalog")
            })
            .map(|(_, _, o, ..)| *o)
    };
    let views = view_rels(sys);
    let named = |s: &str| {
        object_named(&rels, Some(s), &name)
            .or_else(|| view_named(&views, Some(s), &name).map(|v| v.oids.rel))
    };
    match schema.as_deref() {
        None => named("pg_temp")
            .or_else(|| system(None))
            .or_else(|| named("public")),
        Some(s @ ("public" | "pg_temp")) => named(s),
        Some(s) if s == TEMP_NS_NAME => named(s),
        Some(s) => system(Some(s)),
    }
}

fn relation_name(sys: &Sys, o: i64) -> Option<String> {
    if let Some((schema, name, ..)) = SYSTEM_RELATIONS.iter().find(|r| r.2 == o) {
        return Some(if *schema == "pg_catalog" {
            (*name).to_owned()
        } else {
            format!("{schema}.{name}")
        });
    }
    let rels = relations(sys);
    let Some(found) = object(&rels, o) else {
        let views = view_rels(sys);
        let v = views.iter().find(|v| v.oids.rel == o)?;
        let hidden = !v.temporary && view_named(&views, Some("pg_temp"), &v.def.name).is_some();
        return Some(if v.temporary || (public_on_path(sys) && !hidden) {
            quote_ident(&v.def.name)
        } else {
            format!("{}.{}", quote_ident(v.schema()), quote_ident(&v.def.name))
        });
    };
    let name = found.name();
    Some(if visible(sys, &rels, found.rel(), &name) {
        quote_ident(&name)
    } else {
        format!(
            "{}.{}",
            quote_ident(found.rel().schema()),
            quote_ident(&name)
        )
    })
}

/// Whether an unqualified `name` finds this relation of `rel`'s schema (a temporary table
/// hides a permanent one of the same name).
fn visible(sys: &Sys, rels: &[Rel], rel: &Rel, name: &str) -> bool {
    rel.temporary || (public_on_path(sys) && object_named(rels, Some("pg_temp"), name).is_none())
}

fn type_oid(sys: &Sys, s: &str) -> Option<i64> {
    let (_, name) = split_name(s);
    if let Some(t) = builtin_by_name(&name) {
        return Some(t.oid);
    }
    if let Ok(col) = crate::pgtypes::parse_type_name(s.trim()) {
        return Some(i64::from(col.ty.oid()));
    }
    relations(sys)
        .into_iter()
        .find(|t| t.name() == name)
        .map(|t| t.oids.rowtype)
        .or_else(|| builtin(0).map(|t| t.oid))
}

fn namespace_oid(s: &str) -> Option<i64> {
    let (_, name) = split_name(s);
    match name.as_str() {
        "pg_catalog" => Some(PG_CATALOG_NS),
        "pg_toast" => Some(PG_TOAST_NS),
        "public" => Some(PUBLIC_NS),
        "information_schema" => Some(INFORMATION_SCHEMA_NS),
        "pg_temp" => Some(TEMP_NS),
        n if n == TEMP_NS_NAME => Some(TEMP_NS),
        n if n == TEMP_TOAST_NS_NAME => Some(TEMP_TOAST_NS),
        _ => None,
    }
}

fn namespace_name(o: i64) -> Option<String> {
    match o {
        PG_CATALOG_NS => Some("pg_catalog"),
        PG_TOAST_NS => Some("pg_toast"),
        PUBLIC_NS => Some("public"),
        INFORMATION_SCHEMA_NS => Some("information_schema"),
        TEMP_NS => Some(TEMP_NS_NAME),
        TEMP_TOAST_NS => Some(TEMP_TOAST_NS_NAME),
        _ => None,
    }
    .map(str::to_owned)
}
