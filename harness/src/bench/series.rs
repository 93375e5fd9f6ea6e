//! The benchmark's time series: deterministic rows of (ts, host, region, usage, mem) as COPY
//! text, so both servers get byte-identical data and a rerun measures the same work.

use bytes::{BufMut, Bytes, BytesMut};

/// 2024-01-01 00:00:00 UTC, the first sample.
const START_EPOCH: i64 = 1_704_067_200;
const REGIONS: [&str; 4] = ["us-east", "us-west", "eu-central", "ap-south"];

/// `hosts` hosts reporting every `step_secs` seconds: row `i` is host `i % hosts` at sample
/// `i / hosts`, so timestamps ascend like an ingest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Series {
    pub hosts: u32,
    pub step_secs: u32,
}

impl Default for Series {
    /// 100 hosts every 10 s: 10M rows span 11.6 days.
    fn default() -> Self {
        Series {
            hosts: 100,
            step_secs: 10,
        }
    }
}

/// The table both servers create, in plain PostgreSQL DDL.
pub(crate) fn create_table(name: &str) -> String {
    format!(
        "CREATE TABLE {name} (ts timestamptz NOT NULL, host text, region text, \
         usage double precision, mem bigint)"
    )
}

impl Series {
    /// Rows `start..end` as COPY text, in chunks of about `chunk_rows` rows: what a client
    /// sends in its CopyData messages.
    pub fn chunks(self, start: u64, end: u64, chunk_rows: u64) -> impl Iterator<Item = Bytes> {
        let step = chunk_rows.max(1);
        (start..end)
            .step_by(usize::try_from(step).unwrap_or(usize::MAX))
            .map(move |from| {
                let to = from.saturating_add(step).min(end);
                self.text(from, to)
            })
    }

    /// Rows `start..end` as one COPY text buffer.
    pub fn text(self, start: u64, end: u64) -> Bytes {
        let rows = end.saturating_sub(start);
        let mut out =
            BytesMut::with_capacity(usize::try_from(rows.saturating_mul(64)).unwrap_or(0));
        let hosts = u64::from(self.hosts.max(1));
        // Consecutive rows share a sample: format its time once.
        let mut current = None;
        let mut ts = String::new();
        for i in start..end {
            let sample = i / hosts;
            let host = i % hosts;
            if current != Some(sample) {
                ts = self.timestamp(sample);
                current = Some(sample);
            }
            let h = mix(i);
            let usage = h % 10_000;
            let mem = (1u64 << 30) + (mix(h) % (1u64 << 30));
            let region = REGIONS
                .get((host % 4) as usize)
                .copied()
                .unwrap_or("us-east");
            out.put_slice(ts.as_bytes());
            out.put_slice(
                format!(
                    "\thost_{host:03}\t{region}\t{}.{:02}\t{mem}\n",
                    usage / 100,
                    usage % 100
                )
                .as_bytes(),
            );
        }
        out.freeze()
    }

    /// The sample's time as PostgreSQL's text input for timestamptz.
    fn timestamp(self, sample: u64) -> String {
        let offset =
            i64::try_from(sample.saturating_mul(u64::from(self.step_secs))).unwrap_or(i64::MAX / 2);
        chrono::DateTime::from_timestamp(START_EPOCH.saturating_add(offset), 0)
            .map(|t| t.format("%Y-%m-%d %H:%M:%S+00").to_string())
            .unwrap_or_else(|| "2024-01-01 00:00:00+00".to_owned())
    }
}

/// splitmix64: cheap, well-mixed, and the same on every machine.
fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_deterministic_and_tab_separated() {
        let s = Series {
            hosts: 2,
            step_secs: 10,
        };
        let text = s.text(0, 3);
        let text = std::str::from_utf8(&text).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[0].starts_with("2024-01-01 00:00:00+00\thost_000\tus-east\t"));
        assert!(lines[1].starts_with("2024-01-01 00:00:00+00\thost_001\tus-west\t"));
        assert!(lines[2].starts_with("2024-01-01 00:00:10+00\thost_000\tus-east\t"));
        assert!(lines.iter().all(|l| l.split('\t').count() == 5));
        assert_eq!(s.text(0, 3), s.text(0, 3));
    }

    #[test]
    fn chunks_cover_the_range_once() {
        let s = Series::default();
        let joined: Vec<u8> = s.chunks(5, 1_005, 300).flat_map(|b| b.to_vec()).collect();
        assert_eq!(joined, s.text(5, 1_005).to_vec());
        assert_eq!(s.chunks(5, 1_005, 300).count(), 4);
    }
}
