//! Rendering values received in binary format exactly as PostgreSQL renders them as text.
