//! The clap command line: verbs that wire the library together.
