//! The codec against malformed and hostile input: errors, never panics.

use bytes::{BufMut, Bytes, BytesMut};

use super::*;

const MAX: usize = 1 << 20;

fn frame(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    out.extend_from_slice(
        &i32::try_from(body.len() + 4)
            .unwrap_or(i32::MAX)
            .to_be_bytes(),
    );
    out.extend_from_slice(body);
    out
}

fn decode_all(bytes: &[u8]) -> Result<Vec<BackendMessage>, WireError> {
    let mut decoder = FrameDecoder::new(MAX);
    decoder.push(bytes);
    let mut out = Vec::new();
    while let Some(frame) = decoder.next_frame()? {
        out.push(BackendMessage::parse(&frame)?);
    }
    Ok(out)
}

fn parse_one(tag: u8, body: &[u8]) -> Result<BackendMessage, WireError> {
    BackendMessage::parse(&Frame {
        tag,
        body: Bytes::copy_from_slice(body),
        single_byte: false,
    })
}

#[test]
fn decodes_a_ready_for_query() {
    assert_eq!(
        decode_all(&frame(b'Z', b"I")),
        Ok(vec![BackendMessage::ReadyForQuery { status: b'I' }])
    );
}

#[test]
fn rejects_length_below_four() {
    for len in [0i32, 3, -1, i32::MIN] {
        let mut bytes = vec![b'Z'];
        bytes.extend_from_slice(&len.to_be_bytes());
        assert_eq!(
            decode_all(&bytes),
            Err(WireError::LengthTooSmall { tag: b'Z', len })
        );
    }
}

#[test]
fn rejects_huge_length_before_the_body_arrives() {
    let mut decoder = FrameDecoder::new(MAX);
    decoder.push(&[b'D', 0x7f, 0xff, 0xff, 0xff]);
    let err = decoder.next_frame();
    assert_eq!(
        err,
        Err(WireError::LengthTooLarge {
            tag: b'D',
            len: 0x7fff_ffff,
            max: MAX
        })
    );
    // The decoder stays failed: the framing cannot be recovered.
    decoder.push(&frame(b'Z', b"I"));
    assert!(decoder.next_frame().is_err());
    assert!(
        decoder.buffered() < 64,
        "nothing beyond what arrived is held"
    );
}

#[test]
fn waits_for_a_truncated_body() {
    let full = frame(b'C', b"SELECT 1\0");
    let mut decoder = FrameDecoder::new(MAX);
    decoder.push(full.get(..full.len() - 1).unwrap_or_default());
    assert_eq!(decoder.next_frame(), Ok(None));
    decoder.push(full.get(full.len() - 1..).unwrap_or_default());
    let got = decoder
        .next_frame()
        .ok()
        .flatten()
        .map(|f| BackendMessage::parse(&f));
    assert_eq!(
        got,
        Some(Ok(BackendMessage::CommandComplete {
            tag: "SELECT 1".into()
        }))
    );
}

#[test]
fn reassembles_frames_pushed_byte_by_byte() {
    let mut stream = frame(b'1', b"");
    stream.extend(frame(
        b'D',
        &[0, 2, 0, 0, 0, 1, b'7', 0xff, 0xff, 0xff, 0xff],
    ));
    stream.extend(frame(b'Z', b"T"));
    let mut decoder = FrameDecoder::new(MAX);
    let mut got = Vec::new();
    for byte in &stream {
        decoder.push(std::slice::from_ref(byte));
        while let Ok(Some(frame)) = decoder.next_frame() {
            got.push(BackendMessage::parse(&frame));
        }
    }
    assert_eq!(
        got,
        vec![
            Ok(BackendMessage::ParseComplete),
            Ok(BackendMessage::DataRow {
                values: vec![Some(Bytes::from_static(b"7")), None]
            }),
            Ok(BackendMessage::ReadyForQuery { status: b'T' }),
        ]
    );
}

#[test]
fn unknown_tag_is_kept_not_rejected() {
    assert_eq!(
        parse_one(b'!', b"xy"),
        Ok(BackendMessage::Unknown {
            tag: b'!',
            body: Bytes::from_static(b"xy")
        })
    );
}

#[test]
fn rejects_invalid_utf8_and_missing_nul() {
    assert!(matches!(
        parse_one(b'C', b"\xff\xfe\0"),
        Err(WireError::InvalidUtf8 { .. })
    ));
    assert!(matches!(
        parse_one(b'C', b"SELECT 1"),
        Err(WireError::MissingNul { .. })
    ));
    assert!(matches!(
        parse_one(b'S', b"a\0b"),
        Err(WireError::MissingNul { .. })
    ));
}

#[test]
fn rejects_counts_larger_than_the_body() {
    // DataRow claiming 1000 columns with 4 bytes of body.
    assert!(matches!(
        parse_one(b'D', &[0x03, 0xe8, 0, 0, 0, 0]),
        Err(WireError::BadCount { .. })
    ));
    // Negative column count.
    assert!(matches!(
        parse_one(b'D', &[0xff, 0xff]),
        Err(WireError::BadCount { .. })
    ));
    // RowDescription claiming 2 fields, carrying 1.
    let mut body = BytesMut::new();
    body.put_i16(2);
    body.put_slice(b"a\0");
    body.put_slice(&[0; 18]);
    assert!(parse_one(b'T', &body).is_err());
    // A value length past the end.
    assert!(matches!(
        parse_one(b'D', &[0, 1, 0, 0, 0, 9, b'x']),
        Err(WireError::Truncated { .. })
    ));
    // A negative value length other than -1.
    assert!(matches!(
        parse_one(b'D', &[0, 1, 0xff, 0xff, 0xff, 0xfe]),
        Err(WireError::Invalid { .. })
    ));
    // NegotiateProtocolVersion with an absurd option count.
    assert!(matches!(
        parse_one(b'v', &[0, 0, 0, 0, 0x7f, 0, 0, 0]),
        Err(WireError::BadCount { .. })
    ));
}

#[test]
fn rejects_trailing_bytes_and_bad_fixed_fields() {
    assert!(matches!(
        parse_one(b'Z', b"II"),
        Err(WireError::TrailingBytes { .. })
    ));
    assert!(matches!(
        parse_one(b'Z', b"X"),
        Err(WireError::Invalid { .. })
    ));
    assert!(matches!(
        parse_one(b'Z', b""),
        Err(WireError::Truncated { .. })
    ));
    assert!(matches!(
        parse_one(b'1', b"x"),
        Err(WireError::TrailingBytes { .. })
    ));
    assert!(matches!(
        parse_one(b'K', &[0, 0, 0, 1, 2]),
        Err(WireError::Invalid { .. })
    ));
    assert!(matches!(
        parse_one(b'R', &[0, 0, 0, 5, 1, 2]),
        Err(WireError::Truncated { .. })
    ));
    assert!(matches!(
        parse_one(b'E', b"SERROR\0"),
        Err(WireError::Truncated { .. })
    ));
}

#[test]
fn backend_key_accepts_protocol_3_2_long_keys() {
    let mut body = vec![0, 0, 0, 42];
    body.extend([7u8; 32]);
    assert_eq!(
        parse_one(b'K', &body),
        Ok(BackendMessage::BackendKeyData {
            pid: 42,
            key: vec![7; 32]
        })
    );
    body.extend([7u8; 300]);
    assert!(parse_one(b'K', &body).is_err());
}

#[test]
fn single_byte_ssl_answers() {
    let mut decoder = FrameDecoder::new(MAX);
    decoder.expect_single_byte();
    decoder.push(b"N");
    decoder.push(&frame(b'Z', b"I"));
    let first = decoder
        .next_frame()
        .ok()
        .flatten()
        .map(|f| BackendMessage::parse(&f));
    assert_eq!(
        first,
        Some(Ok(BackendMessage::EncryptionResponse { accepted: false }))
    );
    let second = decoder
        .next_frame()
        .ok()
        .flatten()
        .map(|f| BackendMessage::parse(&f));
    assert_eq!(
        second,
        Some(Ok(BackendMessage::ReadyForQuery { status: b'I' }))
    );

    // A server that answers SSLRequest with an ErrorResponse falls back to normal framing.
    let mut decoder = FrameDecoder::new(MAX);
    decoder.expect_single_byte();
    decoder.push(&frame(b'E', b"SFATAL\0C08P01\0Mno\0\0"));
    let got = decoder
        .next_frame()
        .ok()
        .flatten()
        .map(|f| BackendMessage::parse(&f).map(|m| m.name()));
    assert_eq!(got, Some(Ok("ErrorResponse")));
}

#[test]
fn error_fields_helpers_and_display() {
    let msg = parse_one(b'E', b"SERROR\0VERROR\0C42601\0Msyntax error\0P8\0\0");
    let Ok(BackendMessage::ErrorResponse(fields)) = &msg else {
        panic!("expected an ErrorResponse, got {msg:?}");
    };
    assert_eq!(fields.code(), Some("42601"));
    assert_eq!(fields.position(), Some(8));
    assert_eq!(fields.severity(), Some("ERROR"));
    assert_eq!(
        msg.map(|m| m.to_string()),
        Ok(r#"ErrorResponse ERROR 42601: "syntax error" position=8"#.to_owned())
    );
}

#[test]
fn display_is_one_line() {
    let row = BackendMessage::DataRow {
        values: vec![
            Some(Bytes::from_static(b"1")),
            None,
            Some(Bytes::from_static(b"\xff\n")),
        ],
    };
    assert_eq!(row.to_string(), r#"DataRow ["1", NULL, \xff0a]"#);
    let desc = BackendMessage::RowDescription {
        fields: vec![FieldDesc {
            name: "a".into(),
            table_oid: 0,
            column_id: 0,
            type_oid: 23,
            type_size: 4,
            type_modifier: -1,
            format: 0,
        }],
    };
    assert_eq!(desc.to_string(), "RowDescription [a int4 typmod=-1 fmt=0]");
    let long = BackendMessage::CopyData(Bytes::from(vec![b'x'; 1000]));
    let shown = long.to_string();
    assert!(
        shown.contains("(+880 bytes)") && !shown.contains('\n'),
        "{shown}"
    );
}

#[test]
fn frontend_encoding_matches_the_protocol() {
    let mut buf = BytesMut::new();
    FrontendMessage::Query("SELECT 1".into()).encode(&mut buf);
    assert_eq!(&buf[..], b"Q\0\0\0\x0dSELECT 1\0");
    buf.clear();
    FrontendMessage::SslRequest.encode(&mut buf);
    assert_eq!(&buf[..], &[0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);
    buf.clear();
    FrontendMessage::Sync.encode(&mut buf);
    assert_eq!(&buf[..], b"S\0\0\0\x04");
    buf.clear();
    FrontendMessage::Raw {
        tag: Some(b'Q'),
        declared_len: Some(3),
        body: vec![],
    }
    .encode(&mut buf);
    assert_eq!(&buf[..], b"Q\0\0\0\x03");
    buf.clear();
    let bind = FrontendMessage::Bind {
        portal: String::new(),
        statement: "s".into(),
        param_formats: vec![1],
        params: vec![None, Some(vec![9])],
        result_formats: vec![],
    };
    bind.encode(&mut buf);
    assert_eq!(
        &buf[..],
        b"B\0\0\0\x18\0s\0\0\x01\0\x01\0\x02\xff\xff\xff\xff\0\0\0\x01\x09\0\0"
    );
}

/// xorshift64: deterministic, so a failing seed reproduces.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn random_bytes_never_panic() {
    let tags = b"RKSZTDCIEN123nstGHWdcvAV!";
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    for _ in 0..20_000 {
        let tag = tags
            .get((rng.next() % tags.len() as u64) as usize)
            .copied()
            .unwrap_or(b'D');
        let len = (rng.next() % 48) as usize;
        let body: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        // Both as a well-framed body with random content, and as a random byte stream.
        let _ = parse_one(tag, &body);
        let mut decoder = FrameDecoder::new(256);
        if rng.next().is_multiple_of(4) {
            decoder.expect_single_byte();
        }
        let mut stream = vec![tag];
        stream.extend_from_slice(&body);
        for chunk in stream.chunks(1 + (rng.next() % 7) as usize) {
            decoder.push(chunk);
            while let Ok(Some(frame)) = decoder.next_frame() {
                let _ = BackendMessage::parse(&frame).map(|m| m.to_string());
            }
        }
    }
}

#[test]
fn mutated_valid_frames_never_panic() {
    let mut corpus = Vec::new();
    corpus.extend(frame(b'T', b"\0\x02a\0\0\0\0\0\0\x01\0\0\0\x17\0\x04\xff\xff\xff\xff\0\0b\0\0\0\0\0\0\x02\0\0\0\x19\xff\xff\xff\xff\xff\xff\0\0"));
    corpus.extend(frame(b'D', b"\0\x02\0\0\0\x011\xff\xff\xff\xff"));
    corpus.extend(frame(b'E', b"SERROR\0C42601\0Mbad\0P3\0\0"));
    corpus.extend(frame(b'R', b"\0\0\0\x0aSCRAM-SHA-256\0\0"));
    corpus.extend(frame(b'v', b"\0\0\0\0\0\0\0\x01_pq_.x\0"));
    corpus.extend(frame(b'H', b"\0\0\x02\0\0\0\0"));
    corpus.extend(frame(b'K', b"\0\0\0\x01\0\0\0\x02"));
    let mut rng = XorShift(0x2545_f491_4f6c_dd1d);
    for _ in 0..20_000 {
        let mut bytes = corpus.clone();
        for _ in 0..1 + rng.next() % 4 {
            let at = (rng.next() % bytes.len() as u64) as usize;
            if let Some(b) = bytes.get_mut(at) {
                *b = rng.next() as u8;
            }
        }
        let mut decoder = FrameDecoder::new(4096);
        decoder.push(&bytes);
        while let Ok(Some(frame)) = decoder.next_frame() {
            let _ = BackendMessage::parse(&frame).map(|m| m.to_string());
        }
    }
}

#[test]
fn transcript_is_bounded() {
    let mut t = Transcript::default();
    for _ in 0..50_010 {
        t.push(Direction::Recv, "é".repeat(5_000));
    }
    assert_eq!((t.entries.len(), t.dropped), (50_000, 10));
    assert!(
        t.entries
            .first()
            .is_some_and(|e| e.line.len() <= 2_000 + '…'.len_utf8())
    );
    assert!(t.to_string().ends_with("… 10 more message(s) not kept\n"));
}
