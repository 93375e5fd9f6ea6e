//! Deterministic pseudo-random input into the decoders: every input must yield a value or an
//! error, never a panic, hang or runaway allocation.

use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field, Schema};
use postgres_types::Type;
use reference_server::pgtypes::{
    CopyDecoder, CopyFormat, CopyOptions, FormatSettings, decode_param, parse_type_name,
};

/// xorshift64*: reproducible without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Bytes biased toward the characters the parsers care about.
fn noise(rng: &mut Rng, len: usize) -> Vec<u8> {
    const INTERESTING: &[u8] = b"0123456789-+.:eE,\t\n\r\\\"{}[] NULLnaifTtyx/PYMDHS@agoBC\x00\xff";
    (0..len)
        .map(|_| {
            if rng.below(4) == 0 {
                rng.next() as u8
            } else {
                INTERESTING[rng.below(INTERESTING.len())]
            }
        })
        .collect()
}

const TYPES: &[&str] = &[
    "int2",
    "int4",
    "int8",
    "float4",
    "float8",
    "numeric",
    "bool",
    "text",
    "bytea",
    "date",
    "time",
    "timetz",
    "timestamp",
    "timestamptz",
    "interval",
    "uuid",
    "json",
    "jsonb",
    "inet",
    "cidr",
    "int4[]",
    "text[]",
    "numeric[]",
    "timestamptz[]",
    "bpchar",
];

#[test]
fn pgtypes_decode_param_never_panics() {
    let settings = FormatSettings {
        time_zone: "Europe/Paris".into(),
        ..FormatSettings::default()
    };
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let types: Vec<Type> = TYPES
        .iter()
        .map(|t| parse_type_name(t).map(|c| c.ty).unwrap_or(Type::TEXT))
        .collect();
    let mut errors = 0usize;
    for _ in 0..40_000 {
        let len = rng.below(40);
        let bytes = noise(&mut rng, len);
        let ty = &types[rng.below(types.len())];
        let format = (rng.below(2)) as i16;
        if decode_param(Some(&bytes), format, ty, &settings).is_err() {
            errors += 1;
        }
    }
    // Binary array headers claiming huge dimensions must be refused cheaply.
    let mut evil = Vec::new();
    for v in [1i32, 0, 23, i32::MAX, 1] {
        evil.extend_from_slice(&v.to_be_bytes());
    }
    assert!(decode_param(Some(&evil), 1, &Type::INT4_ARRAY, &settings).is_err());
    assert!(errors > 0, "random input should mostly be rejected");
}

#[test]
fn pgtypes_copy_decoder_never_panics() {
    let settings = FormatSettings::default();
    let schema = Arc::new(Schema::new(vec![
        Field::new("a", DataType::Int32, true),
        Field::new("b", DataType::Utf8, true),
        Field::new("c", DataType::Float64, false),
    ]));
    let cols: Vec<_> = ["int4", "text", "float8"]
        .iter()
        .filter_map(|t| parse_type_name(t).ok())
        .collect();
    let mut rng = Rng(42);
    let mut outcomes = [0usize; 2];
    for i in 0..6_000 {
        let format = [CopyFormat::Text, CopyFormat::Csv, CopyFormat::Binary][i % 3];
        let opts = CopyOptions::for_format(format);
        let mut data = if format == CopyFormat::Binary && rng.below(2) == 0 {
            b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0".to_vec()
        } else {
            Vec::new()
        };
        let len = rng.below(200);
        data.extend(noise(&mut rng, len));
        let mut dec = CopyDecoder::new(schema.clone(), cols.clone(), opts, &settings);
        let mut failed = false;
        let mut pos = 0;
        while pos < data.len() {
            let n = 1 + rng.below(16);
            let end = (pos + n).min(data.len());
            if dec.push(&data[pos..end]).is_err() {
                failed = true;
                break;
            }
            let _ = dec.take_batch(1 + rng.below(3));
            pos = end;
        }
        if !failed {
            failed = dec.finish().is_err();
        }
        outcomes[usize::from(failed)] += 1;
    }
    assert!(outcomes[1] > 0, "some random COPY input must be rejected");
}
