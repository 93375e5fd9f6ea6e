//! SQL suites in the sqllogictest format, run in the simple and the extended protocol.
