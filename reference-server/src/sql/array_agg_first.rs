//! `(array_agg(x ORDER BY t))[1]` → `first_value(x ORDER BY t)`: the first element of the
//! ordered aggregate (NULLs included, as `first_value` keeps them). DataFusion plans the
//! subscript as `nth_value(x, 1 ORDER BY t)`, which its physical planner rejects.

use datafusion::sql::sqlparser::ast::{
    AccessExpr, DuplicateTreatment, Expr, FunctionArguments, Ident, ObjectName, ObjectNamePart,
    Subscript, Value,
};

/// Rewrites the expression in place when it is the first element of a plain `array_agg`.
pub fn rewrite(e: &mut Expr) {
    let Expr::CompoundFieldAccess { root, access_chain } = e else {
        return;
    };
    let [AccessExpr::Subscript(Subscript::Index { index })] = access_chain.as_slice() else {
        return;
    };
    if !matches!(index, Expr::Value(v) if v.value == Value::Number("1".into(), false)) {
        return;
    }
    let mut inner = root.as_ref();
    while let Expr::Nested(x) = inner {
        inner = x;
    }
    let Expr::Function(f) = inner else { return };
    let is_array_agg = f
        .name
        .0
        .last()
        .and_then(|p| p.as_ident())
        .is_some_and(|i| i.value.eq_ignore_ascii_case("array_agg"));
    let plain = matches!(&f.args, FunctionArguments::List(l)
        if l.args.len() == 1 && l.duplicate_treatment != Some(DuplicateTreatment::Distinct));
    if !is_array_agg || !plain || f.over.is_some() || !f.within_group.is_empty() {
        return;
    }
    let mut first = f.clone();
    first.name = ObjectName(vec![ObjectNamePart::Identifier(Ident::new("first_value"))]);
    *e = Expr::Function(first);
}
