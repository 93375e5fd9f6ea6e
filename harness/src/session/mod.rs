//! One connection to one server: a raw face (our wire codec) and a client face (tokio-postgres).
