//! The report model (report.json, versioned) and its renderers, baseline gate, expected failures.
