//! Sans-IO PostgreSQL v3 wire codec: frontend encoders and a bounded backend decoder.
