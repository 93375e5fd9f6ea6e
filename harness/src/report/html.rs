//! index.html: a single self-contained dashboard (inline CSS, no external assets). It reads
//! fully without JavaScript; a few lines of vanilla JS add filtering of the case table.

use std::fmt::Write;

use super::model::{CaseResult, Report};
use super::text::{percent, push_xml, seconds, truncate, xml};

/// Rows in the case table; beyond this the page gets slow to open, and report.json has all.
const MAX_ROWS: usize = 10_000;
/// Longest expected/actual/SQL value shown per case.
const MAX_VALUE_BYTES: usize = 4000;

const STYLE: &str = r#"
:root{--pass:#2e7d32;--fail:#c62828;--err:#ef6c00;--skip:#9e9e9e;--bg:#fafafa;--fg:#212121;--mute:#616161}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;padding:24px;background:var(--bg);color:var(--fg)}
h1{margin:0 0 4px;font-size:24px}h2{font-size:18px;margin:24px 0 8px}
.meta{color:var(--mute);margin:0 0 12px}.meta b{color:var(--fg);font-weight:600}
.overall{font-size:20px;margin:8px 0 16px}.overall strong{font-size:32px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:16px}
.card{background:#fff;border:1px solid #e0e0e0;border-radius:8px;padding:16px}
.card h2{margin:0;font-size:16px;text-transform:uppercase;letter-spacing:.05em;color:var(--mute)}
.pct{font-size:28px;font-weight:700}.counts{color:var(--mute);margin:4px 0 8px}
.bar{display:flex;height:10px;border-radius:5px;overflow:hidden;background:#eee;min-width:80px}
.bar span{display:block;height:100%}
.p{background:var(--pass)}.f{background:var(--fail)}.e{background:var(--err)}.s{background:var(--skip)}
table{border-collapse:collapse;width:100%}
.groups td{padding:3px 4px;vertical-align:middle}.groups td:first-child{word-break:break-all}
.groups td.n{text-align:right;white-space:nowrap;color:var(--mute)}.groups td.b{width:45%}
#cases{background:#fff;border:1px solid #e0e0e0}
#cases th,#cases td{padding:6px 8px;border-bottom:1px solid #eee;text-align:left;vertical-align:top}
#cases th{background:#f5f5f5;position:sticky;top:0}
#cases td.id{word-break:break-all;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}
.badge{display:inline-block;padding:1px 6px;border-radius:4px;color:#fff;font-size:12px;font-weight:600}
.badge.fail{background:var(--fail)}.badge.error,.badge.timeout,.badge.crash{background:var(--err)}
.badge.skip{background:var(--skip)}.badge.xfail{background:#6a1b9a}
summary{cursor:pointer}
pre{background:#f5f5f5;border:1px solid #e0e0e0;border-radius:4px;padding:6px;margin:4px 0;overflow:auto;max-height:24em;white-space:pre-wrap;word-break:break-all}
.diff{display:grid;grid-template-columns:1fr 1fr;gap:8px}.diff h4,.sql h4{margin:6px 0 0;font-size:12px;color:var(--mute)}
.filters{margin:8px 0;display:flex;gap:8px;flex-wrap:wrap}.filters input{flex:1;min-width:200px;padding:4px 8px}
.notes li{color:var(--mute)}
"#;

const SCRIPT: &str = r#"
(function(){
var f=document.getElementById('filters'),q=document.getElementById('q'),st=document.getElementById('st'),
cat=document.getElementById('cat'),shown=document.getElementById('shown'),
rows=Array.prototype.slice.call(document.querySelectorAll('#cases tbody tr')),text=null;
if(!f)return;f.hidden=false;
function apply(){
if(!text)text=rows.map(function(r){return r.textContent.toLowerCase();});
var t=q.value.toLowerCase(),s=st.value,c=cat.value,n=0;
rows.forEach(function(r,i){
var x=r.getAttribute('data-xfail')==='1';
var ok=(!s||(s==='xfail'?x:s==='unexpected'?(!x&&r.getAttribute('data-status')!=='skip'):r.getAttribute('data-status')===s))
&&(!c||r.getAttribute('data-category')===c)&&(!t||text[i].indexOf(t)>=0);
r.hidden=!ok;if(ok)n++;});
shown.textContent=n;}
q.addEventListener('input',apply);st.addEventListener('change',apply);cat.addEventListener('change',apply);
})();
"#;

/// A stacked pass/fail/error/skip bar; widths are shares of the total.
fn bar(out: &mut String, passed: usize, failed: usize, errored: usize, skipped: usize) {
    let total = (passed + failed + errored + skipped).max(1) as f64;
    out.push_str("<div class=\"bar\">");
    for (class, n, label) in [
        ("p", passed, "passed"),
        ("f", failed, "failed"),
        ("e", errored, "errored"),
        ("s", skipped, "skipped"),
    ] {
        if n > 0 {
            let _ = write!(
                out,
                "<span class=\"{class}\" style=\"width:{:.1}%\" title=\"{n} {label}\"></span>",
                100.0 * n as f64 / total
            );
        }
    }
    out.push_str("</div>");
}

/// The whole index.html.
pub fn to_html(report: &Report) -> String {
    let mut out = String::with_capacity(16 * 1024 + report.cases.len().min(MAX_ROWS) * 400);
    let s = &report.summary;
    let postgres = report.postgres.as_deref().unwrap_or("none (no oracle)");
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n\
         <title>pgcompat: {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        xml(&report.target)
    );
    let _ = writeln!(out, "<h1>PostgreSQL compatibility report</h1>");
    let _ = writeln!(
        out,
        "<p class=\"meta\">Target <b>{}</b> · PostgreSQL <b>{}</b> · {} to {} · pgcompat {}</p>",
        xml(&report.target),
        xml(postgres),
        xml(&report.started_at),
        xml(&report.finished_at),
        xml(&report.tool_version)
    );
    let _ = writeln!(
        out,
        "<p class=\"overall\"><strong>{}</strong> passed: {} of {} cases · {} failed · {} errored · {} skipped{}</p>",
        percent(s.passed, s.total, s.skipped),
        s.passed,
        s.total,
        s.failed,
        s.errored,
        s.skipped,
        if s.expected_failures > 0 {
            format!(" · expected failures: {}", s.expected_failures)
        } else {
            String::new()
        }
    );
    if !report.notes.is_empty() {
        out.push_str("<ul class=\"notes\">\n");
        for note in &report.notes {
            let _ = writeln!(out, "<li>{}</li>", xml(note));
        }
        out.push_str("</ul>\n");
    }

    out.push_str("<section class=\"cards\">\n");
    for (category, c) in report.categories_in_order() {
        let _ = write!(
            out,
            "<article class=\"card\">\n<h2>{category}</h2>\n<div class=\"pct\">{}</div>\n\
             <div class=\"counts\">{} of {} passed · {} failed · {} errored · {} skipped</div>\n",
            percent(c.passed, c.total, c.skipped),
            c.passed,
            c.total,
            c.failed,
            c.errored,
            c.skipped
        );
        bar(&mut out, c.passed, c.failed, c.errored, c.skipped);
        out.push_str("\n<table class=\"groups\">\n");
        for (name, g) in &c.groups {
            let _ = write!(out, "<tr><td>{}</td><td class=\"b\">", xml(name));
            bar(&mut out, g.passed, g.failed, g.errored, g.skipped);
            let _ = writeln!(
                out,
                "</td><td class=\"n\">{}/{} · {}</td></tr>",
                g.passed,
                g.total,
                percent(g.passed, g.total, g.skipped)
            );
        }
        out.push_str("</table>\n</article>\n");
    }
    out.push_str("</section>\n");

    write_cases(&mut out, report);
    let _ = write!(out, "<script>{SCRIPT}</script>\n</body>\n</html>\n");
    out
}

/// The table of non-passing cases: failures first (in run order), then skips.
fn write_cases(out: &mut String, report: &Report) {
    let failing = report.cases.iter().filter(|c| c.status.is_failure());
    let skipped = report
        .cases
        .iter()
        .filter(|c| c.status == super::model::Status::Skip);
    let total = report.cases.iter().filter(|c| !c.status.is_pass()).count();
    let _ = writeln!(
        out,
        "<h2>Not passing (<span id=\"shown\">{}</span>)</h2>",
        total.min(MAX_ROWS)
    );
    if total == 0 {
        out.push_str("<p>Every case passed.</p>\n");
        return;
    }
    if total > MAX_ROWS {
        let _ = writeln!(
            out,
            "<p>Showing the first {MAX_ROWS} of {total} cases that did not pass; report.json has them all.</p>"
        );
    }
    out.push_str(
        "<form id=\"filters\" class=\"filters\" hidden onsubmit=\"return false\">\
         <input id=\"q\" type=\"search\" placeholder=\"Filter by id, group, message, SQL…\" aria-label=\"filter\">\
         <select id=\"st\" aria-label=\"status\"><option value=\"\">all</option>\
         <option value=\"unexpected\">unexpected failures</option><option value=\"xfail\">expected failures</option>\
         <option value=\"fail\">fail</option><option value=\"error\">error</option>\
         <option value=\"timeout\">timeout</option><option value=\"crash\">crash</option>\
         <option value=\"skip\">skip</option></select>\
         <select id=\"cat\" aria-label=\"category\"><option value=\"\">all categories</option>",
    );
    for (category, _) in report.categories_in_order() {
        let _ = write!(out, "<option value=\"{category}\">{category}</option>");
    }
    out.push_str("</select></form>\n");
    out.push_str(
        "<table id=\"cases\">\n<thead><tr><th>Status</th><th>Category</th><th>Group</th>\
         <th>Case</th><th>Message and details</th><th>Time</th></tr></thead>\n<tbody>\n",
    );
    for case in failing.chain(skipped).take(MAX_ROWS) {
        write_row(out, case);
    }
    out.push_str("</tbody>\n</table>\n");
}

fn write_row(out: &mut String, case: &CaseResult) {
    let xfail = case.expected_failure.is_some() && case.status.is_failure();
    let _ = write!(
        out,
        "<tr data-status=\"{}\" data-category=\"{}\"{}><td><span class=\"badge {0}\">{0}</span>",
        case.status,
        case.category,
        if xfail { " data-xfail=\"1\"" } else { "" }
    );
    if xfail {
        out.push_str(" <span class=\"badge xfail\">expected</span>");
    }
    let _ = write!(
        out,
        "</td><td>{}</td><td>{}</td><td class=\"id\">{}</td><td>",
        case.category,
        xml(&case.group),
        xml(&case.id)
    );
    let message = case.message.as_deref().unwrap_or("");
    let has_details = case.sql.is_some() || case.expected.is_some() || case.actual.is_some();
    if has_details {
        out.push_str("<details><summary>");
        push_xml(
            out,
            if message.is_empty() {
                "details"
            } else {
                message
            },
            false,
        );
        out.push_str("</summary>");
    } else {
        push_xml(out, message, false);
    }
    if let Some(reason) = case.expected_failure.as_deref().filter(|_| xfail) {
        out.push_str("<div><i>Expected failure: ");
        push_xml(out, reason, false);
        out.push_str("</i></div>");
    }
    if has_details {
        if let Some(sql) = &case.sql {
            out.push_str("<div class=\"sql\"><h4>SQL</h4>");
            pre(out, sql);
            out.push_str("</div>");
        }
        out.push_str("<div class=\"diff\"><div><h4>Expected</h4>");
        pre(out, case.expected.as_deref().unwrap_or("(none)"));
        out.push_str("</div><div><h4>Actual</h4>");
        pre(out, case.actual.as_deref().unwrap_or("(none)"));
        out.push_str("</div></div></details>");
    }
    let _ = writeln!(
        out,
        "</td><td>{}&nbsp;s</td></tr>",
        seconds(case.duration_ms)
    );
}

fn pre(out: &mut String, value: &str) {
    out.push_str("<pre>");
    push_xml(out, &truncate(value, MAX_VALUE_BYTES), false);
    out.push_str("</pre>");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture::sample;
    use crate::report::model::{Category, Status};

    #[test]
    fn report_html_snapshot() {
        insta::assert_snapshot!(to_html(&sample()));
    }

    #[test]
    fn report_html_escapes_odd_case_ids_and_text() {
        let mut report = sample();
        let mut case = CaseResult::new(
            "sql/<script>alert('x')</script>&\"q\"\u{0}",
            Category::Sql,
            "<g>",
            Status::Fail,
        );
        case.actual = Some("</pre><img src=x onerror=alert(1)>".into());
        report.push(case);
        report.recompute();
        let html = to_html(&report);
        assert!(!html.contains("<script>alert"), "unescaped id");
        assert!(!html.contains("<img"), "unescaped value");
        assert!(!html.contains("<g>"), "unescaped group");
        assert!(html.contains(
            "sql/&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;q&quot;\\u{0}"
        ));
        assert!(html.contains("&lt;/pre&gt;&lt;img src=x onerror=alert(1)&gt;"));
        assert!(!html.contains('\u{0}'));
        // Exactly one script element: ours.
        assert_eq!(html.matches("<script>").count(), 1);
    }

    #[test]
    fn report_html_caps_rows_and_renders_100k_cases_quickly() {
        let mut report = sample();
        for i in 0..100_000 {
            let status = if i % 3 == 0 {
                Status::Pass
            } else {
                Status::Fail
            };
            let mut case = CaseResult::new(
                format!("sql/bulk/{i}"),
                Category::Sql,
                format!("g{}", i % 50),
                status,
            );
            case.expected = Some("1".into());
            case.actual = Some("2".into());
            report.push(case);
        }
        report.recompute();
        let start = std::time::Instant::now();
        let html = to_html(&report);
        assert!(
            start.elapsed().as_secs() < 10,
            "rendering took {:?}",
            start.elapsed()
        );
        assert_eq!(html.matches("<tr data-status=").count(), MAX_ROWS);
        assert!(html.contains("Showing the first 10000 of"));
    }
}
