//! What the scripted modules of the long-run, reboot, stop and model tests share: the answers
//! every family gives alike, answer lines framed as a module frames them, a command's
//! arguments, and how a module reads what the engine wrote ([`Wire`]).

/// What a scripted module reads next from the engine's output.
pub enum Unit {
    /// The data awaited after a prompt, all of it.
    Data(Vec<u8>),
    /// A command line, its `\r` included.
    Line(Vec<u8>),
}

/// The next unit in `pending`, taken from it: the `data_len` bytes awaited after a prompt once
/// they all came, else (no data awaited) a line through its `\r`; `None` until one is whole.
pub fn next_unit(pending: &mut Vec<u8>, data_len: Option<usize>) -> Option<Unit> {
    match data_len {
        Some(n) => (pending.len() >= n).then(|| Unit::Data(pending.drain(..n).collect())),
        None => {
            let p = pending.iter().position(|&b| b == b'\r')?;
            Some(Unit::Line(pending.drain(..=p).collect()))
        }
    }
}

/// The engine's output as a scripted module reads it: the bytes not read yet, and how many
/// were written and read in all, so that a command's place in the output is known.
#[derive(Default)]
pub struct Wire {
    pub pending: Vec<u8>,
    pub streamed: u64,
    pub taken: u64,
}

impl Wire {
    /// Moves what the engine wrote (`written`, left empty) behind what is not read yet.
    pub fn pull(&mut self, written: &mut Vec<u8>) {
        self.streamed += written.len() as u64;
        self.pending.append(written);
    }

    /// The next unit ([`next_unit`]), counted as read.
    pub fn next(&mut self, data_len: Option<usize>) -> Option<Unit> {
        let unit = next_unit(&mut self.pending, data_len)?;
        let (Unit::Data(b) | Unit::Line(b)) = &unit;
        self.taken += b.len() as u64;
        Some(unit)
    }

    /// Where the output stands with `unwritten` bytes still in the engine's UART buffer.
    pub fn mark(&self, unwritten: usize) -> u64 {
        self.streamed + unwritten as u64
    }

    /// The module reboots: everything not read yet (and `written`, left empty) is lost, and
    /// returned, oldest first.
    pub fn lose_unread(&mut self, written: &mut Vec<u8>) -> Vec<u8> {
        self.pull(written);
        self.taken = self.streamed;
        std::mem::take(&mut self.pending)
    }
}

/// The identity answers and everything the three families answer alike (SIM ready, attached,
/// a signal); `OK` to anything else.
pub fn healthy(cmd: &[u8]) -> Vec<u8> {
    let identities = [
        &super::IDENTITY[..],
        &super::QUECTEL_IDENTITY[..],
        &super::simcom::IDENTITY[..],
    ];
    for (c, answer) in identities.into_iter().flatten() {
        if c.strip_suffix(b"\r") == Some(cmd) {
            return answer.to_vec();
        }
    }
    let a: &[u8] = match cmd {
        b"AT+CPIN?" => b"\r\n+CPIN: READY\r\n\r\nOK\r\n",
        b"AT+CGATT?" => b"\r\n+CGATT: 1\r\n\r\nOK\r\n",
        b"AT+CSQ" => b"\r\n+CSQ: 21,0\r\n\r\nOK\r\n",
        _ => b"\r\nOK\r\n",
    };
    a.to_vec()
}

/// Answer lines, `|` between them, each framed `\r\n<line>\r\n` as the module frames them.
pub fn lines(answer: &str) -> Vec<u8> {
    let framed = answer.split('|').map(|l| format!("\r\n{l}\r\n"));
    framed.collect::<String>().into_bytes()
}

/// `AT+XYZ=a,b,c` → the `n`th comma-separated argument after `=`, without its quotes.
pub fn arg(cmd: impl AsRef<[u8]>, n: usize) -> String {
    let s = String::from_utf8_lossy(cmd.as_ref());
    let args = s.split_once('=').map_or("", |(_, a)| a);
    let a = args.split(',').nth(n);
    a.map_or("", |a| a.trim_matches('"')).to_string()
}
