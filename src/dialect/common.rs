// SPDX-License-Identifier: MIT OR Apache-2.0
//! Line parsing shared by every dialect's decoder: the 3GPP lines all module families print
//! the same way (`+CME ERROR`, `+CPIN`, `+CGATT`, `+CSQ`, `+CCLK`), and the small helpers the
//! decoders are built from (trimming, numbers, table look-ups, the echo rule).
//!
//! The leniency rules are those of the Luat decoder's module documentation
//! ([`crate::dialect::luat::decode`]); both dialects follow them, so they live in one place.

use crate::bytes::{head, tail};
use crate::dialect::response::{Response, SimState, CME_TEXT};

/// Classifies the standard 3GPP lines, or `None` when `line` (trimmed) is none of them.
/// `+CME ERROR`/`+CMS ERROR` with a code that is not a `u16` number give [`CME_TEXT`]; a
/// malformed `+CGATT`/`+CSQ` value is `Unknown` unless it is a test-form reply (`Info`); a
/// `+CCLK` time out of range is `Unknown`.
pub(crate) fn decode_standard(line: &[u8]) -> Option<Response> {
    if let Some(code) = line
        .strip_prefix(b"+CME ERROR:")
        .or_else(|| line.strip_prefix(b"+CMS ERROR:"))
    {
        let code = number(code).and_then(|n| u16::try_from(n).ok());
        return Some(Response::CmeError(code.unwrap_or(CME_TEXT)));
    }
    if let Some(code) = line.strip_prefix(b"+CPIN:") {
        return Some(Response::Sim(sim_state(skip_spaces(code))));
    }
    if let Some(state) = line.strip_prefix(b"+CGATT:") {
        return Some(match number(state).map(u8::try_from) {
            Some(Ok(n)) => Response::Attach(n),
            _ => test_form(state),
        });
    }
    if let Some(values) = line.strip_prefix(b"+CSQ:") {
        let (rssi, ber) = split_once(values, b',').unwrap_or((values, &[]));
        let rssi = number(rssi).and_then(|n| u8::try_from(n).ok());
        let ber = number(ber).and_then(|n| u8::try_from(n).ok());
        return Some(match (rssi, ber) {
            (Some(rssi), Some(ber)) => Response::Signal { rssi, ber },
            _ => test_form(values),
        });
    }
    if let Some(clock) = line.strip_prefix(b"+CCLK:") {
        return Some(
            clock_time(clock).map_or(Response::Unknown, |(utc_s, zone)| Response::Clock {
                utc_s,
                zone,
            }),
        );
    }
    None
}

/// True for a line starting with `AT` in any case: our own command echoed.
pub(crate) fn is_echo(line: &[u8]) -> bool {
    matches!(line, [b'A' | b'a', b'T' | b't', ..])
}

/// Information lines of the 3GPP and common vendor commands that the `AT+QMT*` and `AT+CMQTT*`
/// families may print unasked or to the session's own queries (registration, PDP contexts,
/// time zone, functionality): answers, never results the engine waits for. Link losses among
/// them (`+CGEV: ... DEACT`) are [`decode_standard`]'s, which runs first.
#[cfg(any(feature = "quectel", feature = "simcom"))]
const STANDARD_INFO: &[&[u8]] = &[
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
];

/// The values after `<keyword>`, optional spaces and `:` at the start of `line`.
#[cfg(any(feature = "quectel", feature = "simcom"))]
fn after_keyword<'l>(line: &'l [u8], keyword: &[u8]) -> Option<&'l [u8]> {
    skip_spaces(line.strip_prefix(keyword)?).strip_prefix(b":")
}

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
/// `Decided(Unknown)` when neither knows it.
#[cfg(any(feature = "quectel", feature = "simcom"))]
pub(crate) fn plus_line<'l, K: Copy>(line: &'l [u8], table: &[(&[u8], K)]) -> PlusLine<'l, K> {
    if let Some(standard) = decode_standard(line) {
        return PlusLine::Decided(standard);
    }
    if STANDARD_INFO
        .iter()
        .any(|name| after_keyword(line, name).is_some())
    {
        return PlusLine::Decided(Response::Info);
    }
    let found = table
        .iter()
        .find_map(|&(keyword, kind)| Some((kind, after_keyword(line, keyword)?)));
    match found {
        Some((kind, values)) => PlusLine::Keyword(kind, values),
        None => PlusLine::Decided(Response::Unknown),
    }
}

/// The value `table` pairs with exactly `key`. A table scan (a length compare per entry, a
/// `memcmp` on a length match) is a fraction of the flash of a `match` on byte strings, which
/// inlines every comparison.
pub(crate) fn look_up<T: Copy>(table: &[(&[u8], T)], key: &[u8]) -> Option<T> {
    table
        .iter()
        .find(|(text, _)| *text == key)
        .map(|&(_, value)| value)
}

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
    // Six two-digit fields at fixed places, each with its range and the separator after it
    // (none after the seconds); read by one loop rather than six parses.
    const FIELDS: [(u8, u8, u8); 6] = [
        (b'/', 0, 99),
        (b'/', 1, 12),
        (b',', 1, 31),
        (b':', 0, 23),
        (b':', 0, 59),
        (0, 0, 60),
    ];
    let mut f = [0u32; 6];
    let mut rest = v;
    for (slot, &(sep, low, high)) in f.iter_mut().zip(FIELDS.iter()) {
        let [tens, ones, after @ ..] = rest else {
            return None;
        };
        // A leading space stands for a zero, as `number` reads " 5".
        let tens = if *tens == b' ' { b'0' } else { *tens };
        if !tens.is_ascii_digit() || !ones.is_ascii_digit() {
            return None;
        }
        let n = (tens - b'0') * 10 + (ones - b'0');
        if n < low || n > high {
            return None;
        }
        *slot = u32::from(n);
        rest = match after {
            _ if sep == 0 => after,
            [s, tail @ ..] if *s == sep => tail,
            _ => return None,
        };
    }
    let [yy, mo, dd, hh, mi, ss] = f;
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
    const BEFORE_MONTH: [u16; 12] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
    let leap_days = yy / 4 + 1 - u32::from(yy % 4 == 0 && mo <= 2);
    let month_days = u32::from(*BEFORE_MONTH.get(usize::try_from(mo).ok()?.checked_sub(1)?)?);
    let days = yy * 365 + leap_days + month_days + dd - 1;
    let local = i64::from(days) * 86_400 + i64::from(hh * 3_600 + mi * 60 + ss);
    let utc = local - i64::from(zone) * 900;
    Some((u32::try_from(utc).ok()?, i8::try_from(zone).ok()?))
}

/// `+CPIN:` codes; this line comes once per session, so a table scan is the right size.
const SIM_CODES: &[(&[u8], SimState)] = &[
    (b"READY", SimState::Ready),
    (b"SIM PIN", SimState::Pin),
    (b"SIM PUK", SimState::Puk),
    (b"SIM PIN2", SimState::Pin2),
    (b"SIM PUK2", SimState::Puk2),
    (b"SIM REMOVED", SimState::Removed),
    (b"NOT INSERTED", SimState::Removed),
    (b"NOT READY", SimState::NotReady),
];

fn sim_state(code: &[u8]) -> SimState {
    look_up(SIM_CODES, code).unwrap_or(SimState::Other)
}

/// Drops leading bytes that cannot start a response (controls, >= 0x7F) and trailing blanks.
pub(crate) fn trim(line: &[u8]) -> &[u8] {
    let start = line
        .iter()
        .position(|b| (0x20..0x7F).contains(b))
        .unwrap_or(line.len());
    let line = tail(line, start);
    let end = line
        .iter()
        .rposition(|&b| b != b' ' && b != b'\t')
        .map_or(0, |i| i + 1);
    head(line, end)
}

pub(crate) fn skip_spaces(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|&&b| b == b' ').count();
    tail(s, n)
}

/// Optional leading spaces, then one or more decimal digits and nothing else; `None` if the
/// value exceeds `u32`.
pub(crate) fn number(s: &[u8]) -> Option<u32> {
    let s = skip_spaces(s);
    if s.is_empty() {
        return None;
    }
    s.iter().try_fold(0u32, |acc, &b| {
        if b.is_ascii_digit() {
            acc.checked_mul(10)?.checked_add(u32::from(b - b'0'))
        } else {
            None
        }
    })
}

#[cfg_attr(not(feature = "luat"), allow(dead_code))]
pub(crate) fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

pub(crate) fn split_once(s: &[u8], sep: u8) -> Option<(&[u8], &[u8])> {
    let at = s.iter().position(|&b| b == sep)?;
    Some((head(s, at), tail(s, at).get(1..)?))
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
