//! The query text as this session's `standard_conforming_strings` makes the parser read it.

use std::borrow::Cow;

use pgwire::error::ErrorInfo;

use super::Session;
use crate::sql::nonstandard_strings;

impl Session {
    /// `sql` unchanged unless standard_conforming_strings is off and a plain literal holds a
    /// backslash; then the rewritten text and the warnings `escape_string_warning` asks for.
    /// Only queries containing a backslash pay for the settings lookup.
    pub fn conforming_sql<'a>(&self, sql: &'a str) -> (Cow<'a, str>, Vec<ErrorInfo>) {
        if !sql.as_bytes().contains(&b'\\') {
            return (Cow::Borrowed(sql), Vec::new());
        }
        let (off, warn) = {
            let settings = self.settings();
            let on = |name| {
                settings
                    .get(name)
                    .is_none_or(|v| !v.eq_ignore_ascii_case("off"))
            };
            let quiet = settings.get("client_min_messages").is_some_and(|v| {
                matches!(v.to_ascii_lowercase().as_str(), "error" | "fatal" | "panic")
            });
            (
                !on("standard_conforming_strings"),
                on("escape_string_warning") && !quiet,
            )
        };
        if !off {
            return (Cow::Borrowed(sql), Vec::new());
        }
        match nonstandard_strings::rewrite(sql) {
            Some(r) => (
                Cow::Owned(r.sql),
                if warn { r.warnings } else { Vec::new() },
            ),
            None => (Cow::Borrowed(sql), Vec::new()),
        }
    }
}
