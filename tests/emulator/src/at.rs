//! AT command line parsing: finding `AT` in a line, splitting V.250 compound lines, telling the
//! command forms apart (`AT+X`, `AT+X?`, `AT+X=?`, `AT+X=args`) and splitting arguments.
//!
//! Everything here takes arbitrary bytes: a line from the MCU is hostile input (line noise,
//! half-written commands, binary junk), so nothing may panic and nothing may allocate without
//! bound (the caller caps the line length).

/// How a command was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Form {
    /// `AT+X` (or a basic command such as `ATE0`, whose digits land in `Set`)
    Exec,
    /// `AT+X?`
    Read,
    /// `AT+X=?`
    Test,
    /// `AT+X=<args>`: the raw bytes after `=`
    Set(Vec<u8>),
}

/// One command of a (possibly compound) line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    /// Upper-case name without the `AT` prefix: `+MPUB`, `E`, `&W`, `I`.
    pub name: String,
    pub form: Form,
}

impl Command {
    /// The name as the control socket's `fail NEXTCMD` refers to it: without `+`/`^`/`&`.
    pub fn short_name(&self) -> &str {
        self.name.trim_start_matches(['+', '^', '&'])
    }
}

/// One argument of a `Set` command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arg {
    /// Bytes between the quotes, or the trimmed raw text when unquoted.
    pub value: Vec<u8>,
    pub quoted: bool,
}

impl Arg {
    pub fn as_str(&self) -> String {
        String::from_utf8_lossy(&self.value).into_owned()
    }

    pub fn as_int(&self) -> Option<i64> {
        if self.value.is_empty() || self.value.len() > 18 {
            return None;
        }
        std::str::from_utf8(&self.value).ok()?.trim().parse().ok()
    }
}

/// Returns the part of the line after the first `AT` (either case, as V.250 allows characters
/// before it to be ignored; EC618 V1122 fixed exactly this), or `None` if there is no `AT`.
pub fn strip_at(line: &[u8]) -> Option<&[u8]> {
    let pos = line
        .windows(2)
        .position(|w| w[0].eq_ignore_ascii_case(&b'A') && w[1].eq_ignore_ascii_case(&b'T'))?;
    Some(&line[pos + 2..])
}

/// Splits the text after `AT` into commands at `;` outside double quotes.
pub fn split_compound(rest: &[u8]) -> Vec<&[u8]> {
    let mut parts = Vec::new();
    let mut in_quotes = false;
    let mut start = 0;
    for (i, &b) in rest.iter().enumerate() {
        match b {
            b'"' => in_quotes = !in_quotes,
            b';' if !in_quotes => {
                parts.push(&rest[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&rest[start..]);
    // `AT;` style empty trailing parts are not commands.
    if parts.len() > 1 {
        parts.retain(|p| !p.iter().all(|b| b.is_ascii_whitespace()));
    }
    parts
}

/// Parses one command. `None` means "not a command we can even name" (answer `ERROR`).
pub fn parse_command(part: &[u8]) -> Option<Command> {
    let part = trim(part);
    if part.is_empty() {
        return Some(Command {
            name: String::new(),
            form: Form::Exec,
        });
    }
    let first = part[0];
    if first == b'+' || first == b'^' {
        let name_len = part[1..]
            .iter()
            .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
            .unwrap_or(part.len() - 1);
        if name_len == 0 {
            return None;
        }
        let name = format!(
            "{}{}",
            first as char,
            String::from_utf8_lossy(&part[1..1 + name_len]).to_ascii_uppercase()
        );
        let rest = &part[1 + name_len..];
        let form = match rest {
            [] => Form::Exec,
            [b'?'] => Form::Read,
            [b'=', b'?'] => Form::Test,
            [b'=', args @ ..] => Form::Set(args.to_vec()),
            _ => return None,
        };
        return Some(Command { name, form });
    }
    // Basic command: one letter (or `&` + letter) followed by an optional number.
    let (name, rest) = if first == b'&' {
        let letter = *part.get(1)?;
        if !letter.is_ascii_alphabetic() {
            return None;
        }
        (
            format!("&{}", (letter as char).to_ascii_uppercase()),
            &part[2..],
        )
    } else if first.is_ascii_alphabetic() {
        ((first as char).to_ascii_uppercase().to_string(), &part[1..])
    } else {
        return None;
    };
    let form = match rest {
        [] => Form::Exec,
        [b'?'] => Form::Read,
        digits if digits.iter().all(u8::is_ascii_digit) => Form::Set(digits.to_vec()),
        _ => return None,
    };
    Some(Command { name, form })
}

fn trim(s: &[u8]) -> &[u8] {
    let start = s
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(s.len());
    let end = s
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |e| e + 1);
    &s[start..end.max(start)]
}

/// Splits `a,"b,c",d` into arguments at commas outside quotes. An unterminated quote makes the
/// whole list invalid (`None`), as does text after a closing quote (`"a"x`).
pub fn split_args(raw: &[u8]) -> Option<Vec<Arg>> {
    let mut args = Vec::new();
    let mut cur = Vec::new();
    let mut in_quotes = false;
    for &b in raw {
        match b {
            b'"' => {
                in_quotes = !in_quotes;
                cur.push(b);
            }
            b',' if !in_quotes => {
                args.push(make_arg(&cur)?);
                cur.clear();
            }
            _ => cur.push(b),
        }
    }
    if in_quotes {
        return None;
    }
    args.push(make_arg(&cur)?);
    Some(args)
}

fn make_arg(raw: &[u8]) -> Option<Arg> {
    let t = trim(raw);
    if t.first() == Some(&b'"') {
        if t.len() < 2 || t.last() != Some(&b'"') {
            return None;
        }
        let inner = &t[1..t.len() - 1];
        if inner.contains(&b'"') {
            return None;
        }
        return Some(Arg {
            value: inner.to_vec(),
            quoted: true,
        });
    }
    if t.contains(&b'"') {
        return None;
    }
    Some(Arg {
        value: t.to_vec(),
        quoted: false,
    })
}

/// Splits off the first `n` comma-separated fields and returns them with the untouched rest of
/// the line. `AT+MPUB`'s message is the rest: it may contain commas, and only its outer quotes
/// are syntax.
pub fn split_leading(raw: &[u8], n: usize) -> Option<(Vec<Arg>, &[u8])> {
    let mut fields = Vec::with_capacity(n);
    let mut start = 0;
    let mut in_quotes = false;
    let mut i = 0;
    while fields.len() < n {
        let b = *raw.get(i)?;
        match b {
            b'"' => in_quotes = !in_quotes,
            b',' if !in_quotes => {
                fields.push(make_arg(&raw[start..i])?);
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    Some((fields, &raw[start..]))
}

/// Decodes the module's escapes in an `AT+MPUB` message: `\XX` with two hex digits is the byte
/// 0xXX. The manual documents `\22` (`"`), `\0D`, `\0A` and `\5C` (`\`); we decode every hex
/// pair (a superset: whether the firmware accepts others is unknown). A backslash that is not
/// followed by two hex digits is kept as it is.
pub fn decode_escapes(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if s[i] == b'\\' {
            if let (Some(h), Some(l)) = (
                s.get(i + 1).and_then(|c| hex_val(*c)),
                s.get(i + 2).and_then(|c| hex_val(*c)),
            ) {
                out.push(h << 4 | l);
                i += 3;
                continue;
            }
        }
        out.push(s[i]);
        i += 1;
    }
    out
}

fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// `AT+MQTTMODE=1` messages are hex text (`"313233"` is `123`).
pub fn decode_hex(s: &[u8]) -> Option<Vec<u8>> {
    if s.len() % 2 != 0 {
        return None;
    }
    s.chunks(2)
        .map(|p| Some(hex_val(p[0])? << 4 | hex_val(p[1])?))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(s: &str) -> Command {
        parse_command(s.as_bytes()).unwrap()
    }

    #[test]
    fn forms() {
        assert_eq!(cmd("+CPIN?").form, Form::Read);
        assert_eq!(cmd("+MPUB=?").form, Form::Test);
        assert_eq!(cmd("+MQTTSTATU").form, Form::Exec);
        assert_eq!(cmd("+mcfg=1").name, "+MCFG");
        assert_eq!(
            cmd("E0"),
            Command {
                name: "E".into(),
                form: Form::Set(b"0".to_vec())
            }
        );
        assert_eq!(cmd("&W").name, "&W");
        assert_eq!(cmd("").name, "");
        assert!(parse_command(b"+").is_none());
        assert!(parse_command(b"+X!").is_none());
        assert!(parse_command(b"E0x").is_none());
        assert!(parse_command(b"\xff").is_none());
    }

    #[test]
    fn strip_prefix_noise() {
        assert_eq!(strip_at(b"\x00\xffAT+CSQ"), Some(&b"+CSQ"[..]));
        assert_eq!(strip_at(b"at"), Some(&b""[..]));
        assert_eq!(strip_at(b"garbage"), None);
    }

    #[test]
    fn compound() {
        assert_eq!(
            split_compound(b"+IPR=115200;&W"),
            vec![&b"+IPR=115200"[..], b"&W"]
        );
        assert_eq!(
            split_compound(b"+MPUB=\"t\",0,0,\"a;b\""),
            vec![&b"+MPUB=\"t\",0,0,\"a;b\""[..]]
        );
    }

    #[test]
    fn args() {
        let a = split_args(b"\"host\", 1883").unwrap();
        assert_eq!(a[0].value, b"host");
        assert!(a[0].quoted);
        assert_eq!(a[1].as_int(), Some(1883));
        assert!(split_args(b"\"open").is_none());
        assert!(split_args(b"\"a\"b").is_none());
        assert_eq!(split_args(b"").unwrap().len(), 1);
    }

    #[test]
    fn leading_fields_leave_rest() {
        let (f, rest) = split_leading(b"\"a/b\",1,0,\"x,y\\22\"", 3).unwrap();
        assert_eq!(f.len(), 3);
        assert_eq!(rest, b"\"x,y\\22\"");
        assert!(split_leading(b"a,1", 3).is_none());
    }

    #[test]
    fn escapes() {
        assert_eq!(
            decode_escapes(br"{\22id\22:1}\0D\0A\5C"),
            b"{\"id\":1}\r\n\\"
        );
        assert_eq!(decode_escapes(br"a\zz\5"), br"a\zz\5");
        assert_eq!(decode_hex(b"313233"), Some(b"123".to_vec()));
        assert_eq!(decode_hex(b"31323"), None);
        assert_eq!(decode_hex(b"zz"), None);
    }
}
