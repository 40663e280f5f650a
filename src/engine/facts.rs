// SPDX-License-Identifier: MIT OR Apache-2.0
//! What the module says about itself, read once per module boot (after the SIM is ready) and
//! kept until the next: IMEI, ICCID, IMSI and firmware revision. Empty until read, and left
//! empty where the module refuses a command (a missing fact never stops the session, unless
//! the IMEI is to be the client id).

/// Which identity command a step sends.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Fact {
    /// `AT+CGSN`: the IMEI (bare digits, or `+CGSN: <imei>` on some firmware).
    Imei,
    /// `AT+CGMR`: the firmware revision (bare, `+CGMR: <rev>` or `Revision: <rev>`).
    Revision,
    /// `AT+ICCID`: the SIM's ICCID (`+ICCID: <iccid>`).
    Iccid,
    /// `AT+CCID`, where `AT+ICCID` is refused (`+CCID: <iccid>`, or bare).
    Ccid,
    /// `AT+CIMI`: the IMSI (bare digits).
    Imsi,
}

impl Fact {
    /// The order they are read in; `Ccid` only after a refused `Iccid`.
    pub const FIRST: Fact = Fact::Imei;

    pub fn command(self) -> &'static [u8] {
        // In the order of the variants (checked by a test), as one string cut at NUL
        // (`piece`): a byte per command where a table of slices costs eight (measured 34 B
        // smaller, Luat; 68 B every dialect).
        const COMMANDS: &[u8] = b"AT+CGSN\0AT+CGMR\0AT+ICCID\0AT+CCID\0AT+CIMI";
        crate::dialect::encode::piece(COMMANDS, self as usize).unwrap_or(&[])
    }

    /// The next fact to read after this one's answer (`refused`: it was answered `ERROR`).
    pub fn next(self, refused: bool) -> Option<Fact> {
        match self {
            Fact::Imei => Some(Fact::Revision),
            Fact::Revision => Some(Fact::Iccid),
            Fact::Iccid if refused => Some(Fact::Ccid),
            Fact::Iccid | Fact::Ccid => Some(Fact::Imsi),
            Fact::Imsi => None,
        }
    }
}

/// A short text field with its length.
#[derive(Clone, Copy, Debug)]
pub struct Field<const N: usize> {
    len: u8,
    bytes: [u8; N],
}

impl<const N: usize> Field<N> {
    const EMPTY: Self = Field {
        len: 0,
        bytes: [0; N],
    };

    // Out of line: the client id, the back-off jitter and the C layer's four copies read
    // fields with it (measured 10 B smaller, Luat and every dialect).
    #[inline(never)]
    pub fn get(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or(&[])
    }
}

/// Keeps `value` in a field if it fits and is printable; a value that does not is not a fact.
fn store(bytes: &mut [u8], len: &mut u8, value: &[u8]) {
    if value.is_empty() || !value.iter().all(|b| (0x21..0x7F).contains(b)) {
        return;
    }
    // `get_mut` refuses a value longer than the field.
    if let (Some(dst), Ok(n)) = (bytes.get_mut(..value.len()), u8::try_from(value.len())) {
        dst.copy_from_slice(value);
        *len = n;
    }
}

/// The module's identity as last read.
#[derive(Clone, Copy, Debug)]
pub struct ModuleFacts {
    /// 15 digits (16 for an IMEISV).
    pub imei: Field<16>,
    /// 19-20 characters (some SIMs end in `F`); 22 leaves room.
    pub iccid: Field<22>,
    /// Up to 15 digits.
    pub imsi: Field<16>,
    pub revision: Field<32>,
    /// Read since the module last booted.
    pub read: bool,
}

impl Default for ModuleFacts {
    fn default() -> Self {
        Self::new()
    }
}

impl ModuleFacts {
    pub const fn new() -> Self {
        ModuleFacts {
            imei: Field::EMPTY,
            iccid: Field::EMPTY,
            imsi: Field::EMPTY,
            revision: Field::EMPTY,
            read: false,
        }
    }

    /// An information line of `fact`'s command. Every form the modules print is taken:
    /// bare, `+NAME: value`, `Revision: value`, quoted.
    // One caller (the receive path): the field is picked first, so one copy of the store
    // serves all four facts whether inlined or not; inlined, measured 26 B smaller (Luat).
    pub fn capture(&mut self, fact: Fact, line: &[u8]) {
        // The field is picked first, so one copy of the store serves all four.
        let (bytes, len): (&mut [u8], _) = match fact {
            Fact::Imei => (&mut self.imei.bytes, &mut self.imei.len),
            Fact::Revision => (&mut self.revision.bytes, &mut self.revision.len),
            Fact::Iccid | Fact::Ccid => (&mut self.iccid.bytes, &mut self.iccid.len),
            Fact::Imsi => (&mut self.imsi.bytes, &mut self.imsi.len),
        };
        store(bytes, len, strip_label(line));
    }
}

/// `+CGSN: "123"` → `123`; `Revision: X` → `X`; `123` → `123`.
// Out of line: `capture` is inlined into the receive path, which is large enough that the
// label scan's loops cost more there (measured 46 B smaller, Luat; 14 B every dialect).
#[inline(never)]
fn strip_label(line: &[u8]) -> &[u8] {
    // A label is letters (after an optional `+`) up to the first colon: a colon inside a
    // value is not one. One walk over the label finds both (measured 26 B smaller than a
    // search for the colon and a check of what precedes it).
    let mut rest = line;
    while let [b, tail @ ..] = rest {
        if !(b.is_ascii_alphabetic() || *b == b'+') {
            break;
        }
        rest = tail;
    }
    let value = match rest {
        [b':', value @ ..] => value,
        _ => line,
    };
    let value = trim(value);
    // The quotes by slice patterns: measured 16 B smaller than `strip_prefix`/`strip_suffix`.
    let value = match value {
        [b'"', rest @ ..] => rest,
        _ => value,
    };
    match value {
        [rest @ .., b'"'] => rest,
        _ => value,
    }
}

/// Without its leading and trailing spaces. Both ends by slice patterns: measured smaller than
/// finding them by position (32 B for the end, 2 B for the start, Luat).
fn trim(s: &[u8]) -> &[u8] {
    let mut s = s;
    while let [b' ', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' '] = s {
        s = rest;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each fact's command is its own piece of the string: the variants' order is the
    /// string's.
    #[test]
    fn each_fact_has_its_command() {
        for (fact, command) in [
            (Fact::Imei, &b"AT+CGSN"[..]),
            (Fact::Revision, b"AT+CGMR"),
            (Fact::Iccid, b"AT+ICCID"),
            (Fact::Ccid, b"AT+CCID"),
            (Fact::Imsi, b"AT+CIMI"),
        ] {
            assert_eq!(fact.command(), command);
        }
    }

    #[test]
    fn every_form_is_taken() {
        let mut f = ModuleFacts::new();
        f.capture(Fact::Imei, b"866714043075174");
        assert_eq!(f.imei.get(), b"866714043075174");
        f.capture(Fact::Imei, b"+CGSN: \"866714043075175\"");
        assert_eq!(f.imei.get(), b"866714043075175");
        f.capture(Fact::Iccid, b"+ICCID: 89860012345678901234");
        assert_eq!(f.iccid.get(), b"89860012345678901234");
        f.capture(Fact::Ccid, b"89860012345678901235");
        assert_eq!(f.iccid.get(), b"89860012345678901235");
        f.capture(Fact::Revision, b"Revision: AirM2M_780E_V1169_LTE_AT");
        assert_eq!(f.revision.get(), b"AirM2M_780E_V1169_LTE_AT");
        f.capture(Fact::Imsi, b"460081234567890");
        assert_eq!(f.imsi.get(), b"460081234567890");
        // Too long or not printable: not a fact (the old value stays).
        f.capture(Fact::Imsi, b"46008123456789012345");
        assert_eq!(f.imsi.get(), b"460081234567890");
    }
}
