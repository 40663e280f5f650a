// SPDX-License-Identifier: MIT OR Apache-2.0
//! Line parsing shared by every dialect's decoder: the 3GPP lines all module families print
//! the same way (`+CME ERROR`, `+CPIN`, `+CGATT`, `+CSQ`, `+CCLK`), and the small helpers the
//! decoders are built from (trimming, numbers, table look-ups, the echo rule).
//!
//! The leniency rules are those of the Luat decoder's module documentation
//! ([`crate::dialect::luat::decode`]); both dialects follow them, so they live in one place.

use crate::bytes::printable;
use crate::dialect::response::{Response, SimState, CME_TEXT};

/// Classifies the standard 3GPP lines, or `None` when `line` (trimmed) is none of them.
/// `+CME ERROR`/`+CMS ERROR` with a code that is not a `u16` number give [`CME_TEXT`]; a
/// malformed `+CGATT`/`+CSQ` value is `Unknown` unless it is a test-form reply (`Info`); a
/// `+CCLK` time out of range is `Unknown`.
pub(crate) fn decode_standard(line: &[u8]) -> Option<Response> {
    // Every standard line starts `+C`: the dialect's own lines, most of the traffic, are
    // turned away by one compare instead of a scan of the table.
    if line.get(1) != Some(&b'C') {
        return None;
    }
    let (kind, value) = STANDARD.get(line, Fit::Prefix)?;
    Some(match kind {
        Standard::Error => {
            let code = number(value).and_then(|n| u16::try_from(n).ok());
            Response::CmeError(code.unwrap_or(CME_TEXT))
        }
        Standard::Sim => Response::Sim(sim_state(skip_spaces(value))),
        Standard::Attach => match number(value).map(u8::try_from) {
            Some(Ok(n)) => Response::Attach(n),
            _ => test_form(value),
        },
        Standard::Signal => {
            let (rssi, ber) = split_once(value, b',').unwrap_or((value, &[]));
            let rssi = number(rssi).and_then(|n| u8::try_from(n).ok());
            let ber = number(ber).and_then(|n| u8::try_from(n).ok());
            match (rssi, ber) {
                (Some(rssi), Some(ber)) => Response::Signal { rssi, ber },
                _ => test_form(value),
            }
        }
        Standard::Clock if crate::parts::NETWORK_TIME => {
            clock_time(value).map_or(Response::Unknown, |(utc_s, zone)| Response::Clock {
                utc_s,
                zone,
            })
        }
        // Without the part (crate::parts) the time is only information.
        Standard::Clock => Response::Info,
    })
}

/// What a standard 3GPP line reports.
#[derive(Clone, Copy)]
enum Standard {
    Error,
    Sim,
    Attach,
    Signal,
    Clock,
}

/// The standard 3GPP lines, by prefix (the colon included: no spaces before it), the most
/// frequent first (the signal is polled; none of the keys is a prefix of another).
const STANDARD: Table<Standard> = table! {
    b"+CSQ:" => Standard::Signal,
    b"+CME ERROR:" => Standard::Error,
    b"+CGATT:" => Standard::Attach,
    b"+CPIN:" => Standard::Sim,
    b"+CCLK:" => Standard::Clock,
    b"+CMS ERROR:" => Standard::Error,
};

/// True for a line starting with `AT` in any case: our own command echoed.
// Out of line where the `AT+QMT*` / `AT+CMQTT*` decoders test it too (measured 50 B smaller,
// every dialect); in a Luat-only build, its one caller inlines it (20 B smaller).
#[cfg_attr(any(feature = "quectel", feature = "simcom"), inline(never))]
pub(crate) fn is_echo(line: &[u8]) -> bool {
    matches!(line, [b'A' | b'a', b'T' | b't', ..])
}

/// Information lines of the 3GPP and common vendor commands that the `AT+QMT*` and `AT+CMQTT*`
/// families may print unasked or to the session's own queries (registration, PDP contexts,
/// time zone, functionality): answers, never results the engine waits for. A bearer loss
/// among them (`+CGEV: NW PDN DEACT`) only informs in these families too: each reports what it
/// does to the link by its own URC (`+QIURC: "pdpdeact"`, `+QMTSTAT`, `+CMQTTCONNLOST`,
/// `+CMQTTNONET`), which the session acts on.
#[cfg(any(feature = "quectel", feature = "simcom"))]
const STANDARD_INFO: &[u8] = packed!(
    b"+CGEV",
    b"+CREG",
    b"+CGREG",
    b"+CEREG",
    b"+CTZE",
    b"+CTZV",
    b"+CFUN",
    b"+CMEE",
    b"+CGDCONT",
    b"+CGACT",
    b"+CGEREP",
    b"+CGPADDR",
);

/// What a `+...` line of the `AT+QMT*` / `AT+CMQTT*` families is, before the family's own
/// reading of it.
#[cfg(any(feature = "quectel", feature = "simcom"))]
pub(crate) enum PlusLine<'l, K> {
    /// Decided by the 3GPP layer: a standard result, or one of [`STANDARD_INFO`].
    Decided(Response),
    /// A keyword of the family's table, with the values after its colon.
    Keyword(K, &'l [u8]),
}

/// Reads a `+...` line against the 3GPP lines first, then the family's keyword `table`;
/// `Decided(Info)` for a key of the table without a value, `Decided(Unknown)` when neither
/// knows it.
#[cfg(any(feature = "quectel", feature = "simcom"))]
pub(crate) fn plus_line<'l, K: Copy>(line: &'l [u8], table: &Table<K>) -> PlusLine<'l, K> {
    if let Some(standard) = decode_standard(line) {
        return PlusLine::Decided(standard);
    }
    if find(STANDARD_INFO, line, Fit::Keyword).is_some() {
        return PlusLine::Decided(Response::Info);
    }
    match table.lookup(line, Fit::Keyword) {
        Some((Some(kind), values)) => PlusLine::Keyword(kind, values),
        Some((None, _)) => PlusLine::Decided(Response::Info),
        None => PlusLine::Decided(Response::Unknown),
    }
}

/// Bytes a [`packed!`] table of `keys` takes: a length byte and the bytes of each key.
pub(crate) const fn packed_len(keys: &[&[u8]]) -> usize {
    let mut len = 0;
    let mut rest = keys;
    while let [key, tail @ ..] = rest {
        len += 1 + key.len();
        rest = tail;
    }
    len
}

/// `keys` packed as one byte string, each key as its length byte and its bytes: the table is
/// its text and one byte per entry, where a slice of keys costs eight bytes of pointer and
/// length per entry on top. Evaluated only in constants ([`packed!`]): an index out of range or
/// a key of 256 bytes or more is a build error there, never a run-time path.
#[allow(clippy::indexing_slicing, clippy::cast_possible_truncation)]
pub(crate) const fn pack<const N: usize>(keys: &[&[u8]]) -> [u8; N] {
    let mut out = [0u8; N];
    let mut at = 0;
    let mut rest = keys;
    while let [key, tail @ ..] = rest {
        assert!(key.len() < 256);
        out[at] = key.len() as u8;
        at += 1;
        let mut i = 0;
        while i < key.len() {
            out[at] = key[i];
            at += 1;
            i += 1;
        }
        rest = tail;
    }
    assert!(at == N);
    out
}

/// A keyword table packed at build time (see [`pack`]), as `&'static [u8]`.
macro_rules! packed {
    ($($key:expr),* $(,)?) => {{
        const KEYS: &[&[u8]] = &[$($key),*];
        const PACKED: [u8; $crate::dialect::common::packed_len(KEYS)] =
            $crate::dialect::common::pack(KEYS);
        &PACKED
    }};
}
pub(crate) use packed;

/// How a line must fit a table's key.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fit {
    /// The line is the key.
    Whole,
    /// The line starts with the key.
    Prefix,
    /// The line starts with the key, then optional spaces and `:`; the rest is after the `:`.
    #[cfg(any(feature = "quectel", feature = "simcom"))]
    Keyword,
}

/// The one matcher of every keyword table: the index of the first key of the [`packed!`]
/// `table` that `line` fits, and the rest of the line after the key (after the `:` for
/// [`Fit::Keyword`]). A scan costs a length compare per entry and a `memcmp` on a length fit.
pub(crate) fn find<'l>(table: &[u8], line: &'l [u8], fit: Fit) -> Option<(usize, &'l [u8])> {
    let mut rest = table;
    let mut index = 0;
    while let [len, tail @ ..] = rest {
        let (key, next) = tail.split_at_checked(usize::from(*len))?;
        // Every line received runs this, against keys that mostly differ from it within the
        // first bytes: a byte loop that stops at the first difference costs far less than a
        // `memcmp` call per key (and a whole-line key of another length is not compared).
        let fits = (fit != Fit::Whole || key.len() == line.len())
            && line.len() >= key.len()
            && key.iter().zip(line).all(|(k, b)| k == b);
        if let Some(after) = line.get(key.len()..).filter(|_| fits) {
            match fit {
                #[cfg(any(feature = "quectel", feature = "simcom"))]
                Fit::Keyword => {
                    if let Some(values) = skip_spaces(after).strip_prefix(b":") {
                        return Some((index, values));
                    }
                }
                // A whole-line key fits only a line of its length: nothing is after it.
                _ => return Some((index, after)),
            }
        }
        rest = next;
        index += 1;
    }
    None
}

/// A [`packed!`] table of keys with the value each stands for. A decoder's table may end in
/// keys without a value, the lines that only inform: they cost no byte of value each.
pub(crate) struct Table<T: 'static> {
    /// The keys, packed.
    pub(crate) keys: &'static [u8],
    /// The value of each key, in the same order; the keys past them have none.
    pub(crate) values: &'static [T],
}

impl<T: Copy> Table<T> {
    /// The value of the first key `line` fits, and the rest of the line (see [`find`]).
    // Inlined: a few instructions around `find`, on the per-line path.
    #[inline(always)]
    pub(crate) fn get<'l>(&self, line: &'l [u8], fit: Fit) -> Option<(T, &'l [u8])> {
        let (index, rest) = find(self.keys, line, fit)?;
        Some((*self.values.get(index)?, rest))
    }

    /// As [`Table::get`], telling a key without a value (`Some((None, _))`, a line that only
    /// informs) from no key at all (`None`).
    #[inline(always)]
    pub(crate) fn lookup<'l>(&self, line: &'l [u8], fit: Fit) -> Option<(Option<T>, &'l [u8])> {
        let (index, rest) = find(self.keys, line, fit)?;
        Some((self.values.get(index).copied(), rest))
    }
}

/// A [`Table`] from `key => value` pairs, then optionally `;` and the keys without a value.
macro_rules! table {
    ($($key:expr => $value:expr),* $(,)? $(; $($bare:expr),+ $(,)?)?) => {
        $crate::dialect::common::Table {
            keys: $crate::dialect::common::packed!($($key,)* $($($bare),+)?),
            values: &[$($value),*],
        }
    };
}
pub(crate) use table;

/// The reply to a `=?` test command lists ranges in parentheses (`+CGATT: (0-1)`); anything
/// else where a number belongs is garbage.
pub(crate) fn test_form(value: &[u8]) -> Response {
    if skip_spaces(value).starts_with(b"(") {
        Response::Info
    } else {
        Response::Unknown
    }
}

/// `"yy/MM/dd,hh:mm:ss±zz"` (quotes optional, zone optional) → (UTC seconds since 2000, zone
/// in quarter hours). Fields out of range make it `None`.
fn clock_time(value: &[u8]) -> Option<(u32, i8)> {
    let v = skip_spaces(value);
    let v = v.strip_prefix(b"\"").unwrap_or(v);
    let v = v.strip_suffix(b"\"").unwrap_or(v);
    // Six two-digit fields at fixed places: the separators checked against one picture of the
    // text, then each field read (two digits, or a space and a digit: " 5", as some firmwares
    // print the hour) and its range checked (any two-digit year is one). Measured 35 B smaller
    // (Luat) than one loop over a table of separators and ranges.
    let (time, rest) = v.split_at_checked(17)?;
    for (&byte, &want) in time.iter().zip(b"00/00/00,00:00:00") {
        if want != b'0' && byte != want {
            return None;
        }
    }
    let mut f = [0u32; 6];
    for (slot, field) in f.iter_mut().zip(time.chunks(3)) {
        *slot = number(crate::bytes::head(field, 2))?;
    }
    let [yy, mo, dd, hh, mi, ss] = f;
    if !(1..=12).contains(&mo) || !(1..=31).contains(&dd) || hh > 23 || mi > 59 || ss > 60 {
        return None;
    }
    let zone: i32 = match rest {
        [] => 0,
        [sign @ (b'+' | b'-'), q @ ..] => {
            let q = i32::try_from(number(q)?).ok()?;
            if *sign == b'-' {
                -q
            } else {
                q
            }
        }
        _ => return None,
    };
    if !(-48..=56).contains(&zone) {
        return None;
    }
    // Days since 2000-01-01 (every year here is 2000-2099: a leap year each fourth).
    // Days before each month, by its number (slot 0 unused: no `mo - 1` to check, 8 B).
    const BEFORE_MONTH: [u16; 13] = [0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
    let leap_days = yy / 4 + 1 - u32::from(yy % 4 == 0 && mo <= 2);
    let month_days = u32::from(*BEFORE_MONTH.get(usize::try_from(mo).ok()?)?);
    let days = yy * 365 + leap_days + month_days + dd - 1;
    // In whole minutes, where a quarter hour of zone is 15: everything fits 32 bits (at most
    // 52.6 million minutes, 3.16e9 seconds), and the time is before the epoch exactly when its
    // minute is.
    let utc_min = u32::try_from((days * 1_440 + hh * 60 + mi) as i32 - zone * 15).ok()?;
    Some((utc_min * 60 + ss, i8::try_from(zone).ok()?))
}

/// `+CPIN:` codes; this line comes once per session, so a table scan is the right size.
const SIM_CODES: Table<SimState> = table! {
    b"READY" => SimState::Ready,
    b"SIM PIN" => SimState::Pin,
    b"SIM PUK" => SimState::Puk,
    b"SIM PIN2" => SimState::Pin2,
    b"SIM PUK2" => SimState::Puk2,
    b"SIM REMOVED" => SimState::Removed,
    b"NOT INSERTED" => SimState::Removed,
    b"NOT READY" => SimState::NotReady,
};

fn sim_state(code: &[u8]) -> SimState {
    SIM_CODES
        .get(code, Fit::Whole)
        .map_or(SimState::Other, |(state, _)| state)
}

/// Drops leading bytes that cannot start a response (controls, >= 0x7F) and trailing blanks.
pub(crate) fn trim(line: &[u8]) -> &[u8] {
    let mut line = line;
    while let [first, rest @ ..] = line {
        if printable(first) {
            break;
        }
        line = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = line {
        line = rest;
    }
    line
}

// Out of line: the decoders skip spaces in a dozen places, each an inlined loop before;
// measured 316 B smaller (Luat), 472 B (every dialect).
#[inline(never)]
pub(crate) fn skip_spaces(s: &[u8]) -> &[u8] {
    let mut s = s;
    while let [b' ', rest @ ..] = s {
        s = rest;
    }
    s
}

/// Optional leading spaces, then one or more decimal digits and nothing else; `None` if the
/// value exceeds `u32`.
pub(crate) fn number(s: &[u8]) -> Option<u32> {
    let s = skip_spaces(s);
    if s.is_empty() {
        return None;
    }
    s.iter().try_fold(0u32, |acc, &b| {
        // Bounded before the multiply instead of `checked_mul`, whose overflow test is a
        // 64-bit product on a Cortex-M0 (the library's software multiply).
        if b.is_ascii_digit() && acc <= u32::MAX / 10 {
            (acc * 10).checked_add(u32::from(b - b'0'))
        } else {
            None
        }
    })
}

#[cfg_attr(not(feature = "luat"), allow(dead_code))]
pub(crate) fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    // A prefix test at each offset: measured 6 B smaller than `windows` and a compare.
    let mut rest = haystack;
    loop {
        if rest.starts_with(needle) {
            return true;
        }
        let [_, tail @ ..] = rest else {
            return false;
        };
        rest = tail;
    }
}

// Out of line where the `AT+QMT*` / `AT+CMQTT*` decoders and the SIMCom framing call it too
// (measured 10 B smaller, every dialect); Luat calls it once, where inlined is 40 B smaller.
#[cfg_attr(any(feature = "quectel", feature = "simcom"), inline(never))]
pub(crate) fn split_once(s: &[u8], sep: u8) -> Option<(&[u8], &[u8])> {
    let at = s.iter().position(|&b| b == sep)?;
    let (before, after) = s.split_at_checked(at)?;
    Some((before, after.get(1..)?))
}

#[cfg(test)]
mod tests {
    use super::clock_time;

    #[test]
    fn clock_time_reads_every_accepted_spelling_and_refuses_the_rest() {
        // 2024-08-22 07:27:15 at +8 h: 9000 days after 2000-01-01, less the zone.
        let utc = 9000 * 86_400 + 7 * 3_600 + 27 * 60 + 15 - 32 * 900;
        assert_eq!(clock_time(b"\"24/08/22,07:27:15+32\""), Some((utc, 32)));
        assert_eq!(clock_time(b" 24/08/22,07:27:15+32"), Some((utc, 32)));
        assert_eq!(clock_time(b"24/08/22,07:27:15"), Some((utc + 32 * 900, 0)));
        assert_eq!(
            clock_time(b"24/08/22,07:27:15-08"),
            Some((utc + 40 * 900, -8))
        );
        assert_eq!(clock_time(b"24/08/22, 7:27:15+32"), Some((utc, 32)));
        // Leap day, and the first day of the epoch.
        assert_eq!(clock_time(b"24/02/29,00:00:00"), Some((8825 * 86_400, 0)));
        assert_eq!(clock_time(b"00/01/01,00:00:00"), Some((0, 0)));
        assert_eq!(clock_time(b"00/01/01,00:00:00+04"), None); // before the epoch in UTC
        for bad in [
            &b"24/13/22,07:27:15"[..],
            b"24/08/32,07:27:15",
            b"24/08/22,24:00:00",
            b"24/08/22,07:60:00",
            b"24/08/22,07:27:61",
            b"24-08-22,07:27:15",
            b"24/08/22,07:27:15+57",
            b"24/08/22,07:27:15*32",
            b"24/08/22,07:27",
            b"24/8/22,07:27:15",
        ] {
            assert_eq!(clock_time(bad), None, "{:?}", core::str::from_utf8(bad));
        }
    }
}
