//! `client_encoding` values: PostgreSQL's encoding names and aliases (encnames.c), so a
//! name PostgreSQL knows but this server cannot convert to gets PostgreSQL's 0A000 refusal
//! rather than the 22023 "invalid value" an unknown name gets.

/// Why a client_encoding value was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Not an encoding PostgreSQL knows.
    Unknown,
    /// A known encoding (canonical name given) this server does not convert UTF8 to.
    NoConversion(&'static str),
}

/// PostgreSQL's aliases (after `clean_encoding_name`: lower case, letters and digits only)
/// and the canonical name each stands for.
const ALIASES: &[(&str, &str)] = &[
    ("abc", "WIN1258"),
    ("alt", "WIN866"),
    ("big5", "BIG5"),
    ("euccn", "EUC_CN"),
    ("eucjis2004", "EUC_JIS_2004"),
    ("eucjp", "EUC_JP"),
    ("euckr", "EUC_KR"),
    ("euctw", "EUC_TW"),
    ("gb18030", "GB18030"),
    ("gbk", "GBK"),
    ("iso88591", "LATIN1"),
    ("iso885910", "LATIN6"),
    ("iso885913", "LATIN7"),
    ("iso885914", "LATIN8"),
    ("iso885915", "LATIN9"),
    ("iso885916", "LATIN10"),
    ("iso88592", "LATIN2"),
    ("iso88593", "LATIN3"),
    ("iso88594", "LATIN4"),
    ("iso88595", "ISO_8859_5"),
    ("iso88596", "ISO_8859_6"),
    ("iso88597", "ISO_8859_7"),
    ("iso88598", "ISO_8859_8"),
    ("iso88599", "LATIN5"),
    ("johab", "JOHAB"),
    ("koi8", "KOI8R"),
    ("koi8r", "KOI8R"),
    ("koi8u", "KOI8U"),
    ("latin1", "LATIN1"),
    ("latin10", "LATIN10"),
    ("latin2", "LATIN2"),
    ("latin3", "LATIN3"),
    ("latin4", "LATIN4"),
    ("latin5", "LATIN5"),
    ("latin6", "LATIN6"),
    ("latin7", "LATIN7"),
    ("latin8", "LATIN8"),
    ("latin9", "LATIN9"),
    ("mskanji", "SJIS"),
    ("muleinternal", "MULE_INTERNAL"),
    ("shiftjis", "SJIS"),
    ("shiftjis2004", "SHIFT_JIS_2004"),
    ("sjis", "SJIS"),
    ("sqlascii", "SQL_ASCII"),
    ("tcvn", "WIN1258"),
    ("tcvn5712", "WIN1258"),
    ("uhc", "UHC"),
    ("unicode", "UTF8"),
    ("utf8", "UTF8"),
    ("vscii", "WIN1258"),
    ("win", "WIN1251"),
    ("win1250", "WIN1250"),
    ("win1251", "WIN1251"),
    ("win1252", "WIN1252"),
    ("win1253", "WIN1253"),
    ("win1254", "WIN1254"),
    ("win1255", "WIN1255"),
    ("win1256", "WIN1256"),
    ("win1257", "WIN1257"),
    ("win1258", "WIN1258"),
    ("win866", "WIN866"),
    ("win874", "WIN874"),
    ("win932", "SJIS"),
    ("win936", "GBK"),
    ("win949", "UHC"),
    ("win950", "BIG5"),
    ("windows1250", "WIN1250"),
    ("windows1251", "WIN1251"),
    ("windows1252", "WIN1252"),
    ("windows1253", "WIN1253"),
    ("windows1254", "WIN1254"),
    ("windows1255", "WIN1255"),
    ("windows1256", "WIN1256"),
    ("windows1257", "WIN1257"),
    ("windows1258", "WIN1258"),
    ("windows866", "WIN866"),
    ("windows874", "WIN874"),
    ("windows932", "SJIS"),
    ("windows936", "GBK"),
    ("windows949", "UHC"),
    ("windows950", "BIG5"),
];

/// The value stored and reported for `SET client_encoding`: UTF8 (also as `utf-8`), SQL_ASCII
/// (bytes pass through unconverted, as in PostgreSQL) and `UNICODE`, which PostgreSQL keeps
/// as spelled for old clients.
pub fn check_client_encoding(value: &str) -> Result<String, Refusal> {
    let cleaned: String = value
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if cleaned == "unicode" {
        return Ok("UNICODE".to_owned());
    }
    let canonical = ALIASES
        .binary_search_by(|(alias, _)| alias.cmp(&cleaned.as_str()))
        .ok()
        .and_then(|i| ALIASES.get(i))
        .map(|(_, name)| *name)
        .ok_or(Refusal::Unknown)?;
    match canonical {
        "UTF8" | "SQL_ASCII" => Ok(canonical.to_owned()),
        other => Err(Refusal::NoConversion(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_are_sorted_for_binary_search() {
        assert!(ALIASES.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn names_as_postgresql_reads_them() {
        assert_eq!(check_client_encoding("utf-8").as_deref(), Ok("UTF8"));
        assert_eq!(
            check_client_encoding("sql_ascii").as_deref(),
            Ok("SQL_ASCII")
        );
        assert_eq!(check_client_encoding("Unicode").as_deref(), Ok("UNICODE"));
        assert_eq!(
            check_client_encoding("latin-1"),
            Err(Refusal::NoConversion("LATIN1"))
        );
        assert_eq!(check_client_encoding("foo"), Err(Refusal::Unknown));
    }
}
