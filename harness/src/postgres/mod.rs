//! The oracle: a real PostgreSQL (throwaway local cluster, container, or a URL).
