//! MQTT 3.1.1 packet encoding and decoding (OASIS MQTT 3.1.1, chapter 3).
//!
//! Our own small codec rather than a client library: the emulator has to mirror a module whose
//! AT URCs map one-to-one onto individual packets (`CONNECT OK` is the TCP connect, `CONNACK OK`
//! the CONNACK, `PUBREC` the PUBREC ...), and has to drop the connection at an exact moment on a
//! fault. A library that connects, retries and acknowledges by itself would hide all of that.

/// Largest packet we accept from the broker. The module's own limits are far lower (4 KB); this
/// only protects the emulator from a corrupt length field.
pub const MAX_PACKET: usize = 1 << 20;

/// A packet received from the broker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Packet {
    ConnAck {
        session_present: bool,
        code: u8,
    },
    Publish {
        dup: bool,
        qos: u8,
        retain: bool,
        topic: Vec<u8>,
        pid: u16,
        payload: Vec<u8>,
    },
    PubAck(u16),
    PubRec(u16),
    PubRel(u16),
    PubComp(u16),
    SubAck {
        pid: u16,
        codes: Vec<u8>,
    },
    UnsubAck(u16),
    PingResp,
    /// Any packet a server must not send to a client (CONNECT, SUBSCRIBE, ...), by type nibble.
    Unexpected(u8),
}

/// Why the byte stream from the broker could not be decoded. Any of these ends the connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    BadLength,
    TooLarge(usize),
    Malformed(&'static str),
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecodeError::BadLength => write!(f, "malformed remaining length"),
            DecodeError::TooLarge(n) => write!(f, "packet of {n} bytes is too large"),
            DecodeError::Malformed(what) => write!(f, "malformed packet: {what}"),
        }
    }
}

/// Fields of a CONNECT packet.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Connect {
    pub client_id: Vec<u8>,
    pub username: Option<Vec<u8>>,
    pub password: Option<Vec<u8>>,
    pub will: Option<Will>,
    pub clean_session: bool,
    pub keepalive: u16,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Will {
    pub topic: Vec<u8>,
    pub message: Vec<u8>,
    pub qos: u8,
    pub retain: bool,
}

fn put_len(out: &mut Vec<u8>, mut len: usize) {
    loop {
        let mut byte = (len % 128) as u8;
        len /= 128;
        if len > 0 {
            byte |= 0x80;
        }
        out.push(byte);
        if len == 0 {
            break;
        }
    }
}

fn put_str(out: &mut Vec<u8>, s: &[u8]) {
    // MQTT strings carry a 16-bit length; callers enforce the module's far smaller limits.
    let n = s.len().min(u16::MAX as usize);
    out.extend_from_slice(&(n as u16).to_be_bytes());
    out.extend_from_slice(&s[..n]);
}

fn packet(header: u8, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 5);
    out.push(header);
    put_len(&mut out, body.len());
    out.extend_from_slice(body);
    out
}

pub fn encode_connect(c: &Connect) -> Vec<u8> {
    encode_connect_level(c, 4)
}

/// CONNECT for protocol level 4 (MQTT 3.1.1, name `MQTT`) or 3 (MQTT 3.1, name `MQIsdp`; the
/// fields this codec writes are laid out the same in both). Other levels are written as 4.
pub fn encode_connect_level(c: &Connect, level: u8) -> Vec<u8> {
    let mut body = Vec::new();
    if level == 3 {
        put_str(&mut body, b"MQIsdp");
        body.push(3);
    } else {
        put_str(&mut body, b"MQTT");
        body.push(4); // protocol level 4 = 3.1.1
    }
    let mut flags = 0u8;
    if c.clean_session {
        flags |= 0x02;
    }
    if let Some(w) = &c.will {
        flags |= 0x04 | ((w.qos & 3) << 3);
        if w.retain {
            flags |= 0x20;
        }
    }
    // A password without a user name is not allowed in 3.1.1 [MQTT-3.1.2-22].
    if c.username.is_some() {
        flags |= 0x80;
        if c.password.is_some() {
            flags |= 0x40;
        }
    }
    body.push(flags);
    body.extend_from_slice(&c.keepalive.to_be_bytes());
    put_str(&mut body, &c.client_id);
    if let Some(w) = &c.will {
        put_str(&mut body, &w.topic);
        put_str(&mut body, &w.message);
    }
    if let Some(u) = &c.username {
        put_str(&mut body, u);
        if let Some(p) = &c.password {
            put_str(&mut body, p);
        }
    }
    packet(0x10, &body)
}

pub fn encode_publish(topic: &[u8], payload: &[u8], qos: u8, retain: bool, pid: u16) -> Vec<u8> {
    let mut body = Vec::with_capacity(topic.len() + payload.len() + 4);
    put_str(&mut body, topic);
    if qos > 0 {
        body.extend_from_slice(&pid.to_be_bytes());
    }
    body.extend_from_slice(payload);
    let header = 0x30 | ((qos & 3) << 1) | u8::from(retain);
    packet(header, &body)
}

fn ack(header: u8, pid: u16) -> Vec<u8> {
    packet(header, &pid.to_be_bytes())
}

pub fn encode_puback(pid: u16) -> Vec<u8> {
    ack(0x40, pid)
}
pub fn encode_pubrec(pid: u16) -> Vec<u8> {
    ack(0x50, pid)
}
pub fn encode_pubrel(pid: u16) -> Vec<u8> {
    ack(0x62, pid)
}
pub fn encode_pubcomp(pid: u16) -> Vec<u8> {
    ack(0x70, pid)
}

pub fn encode_subscribe(pid: u16, topic: &[u8], qos: u8) -> Vec<u8> {
    let mut body = pid.to_be_bytes().to_vec();
    put_str(&mut body, topic);
    body.push(qos & 3);
    packet(0x82, &body)
}

/// SUBSCRIBE with several topic filters (Quectel `AT+QMTSUB` takes a list).
pub fn encode_subscribe_many(pid: u16, filters: &[(Vec<u8>, u8)]) -> Vec<u8> {
    let mut body = pid.to_be_bytes().to_vec();
    for (topic, qos) in filters {
        put_str(&mut body, topic);
        body.push(qos & 3);
    }
    packet(0x82, &body)
}

/// UNSUBSCRIBE with several topic filters.
pub fn encode_unsubscribe_many(pid: u16, topics: &[Vec<u8>]) -> Vec<u8> {
    let mut body = pid.to_be_bytes().to_vec();
    for topic in topics {
        put_str(&mut body, topic);
    }
    packet(0xA2, &body)
}

pub fn encode_unsubscribe(pid: u16, topic: &[u8]) -> Vec<u8> {
    let mut body = pid.to_be_bytes().to_vec();
    put_str(&mut body, topic);
    packet(0xA2, &body)
}

pub fn encode_pingreq() -> Vec<u8> {
    vec![0xC0, 0x00]
}

pub fn encode_disconnect() -> Vec<u8> {
    vec![0xE0, 0x00]
}

/// Tries to take one packet from the front of `buf`. `Ok(None)` means "need more bytes".
pub fn decode(buf: &[u8]) -> Result<Option<(Packet, usize)>, DecodeError> {
    let Some(&header) = buf.first() else {
        return Ok(None);
    };
    let mut len = 0usize;
    let mut mult = 1usize;
    let mut i = 1;
    loop {
        let Some(&b) = buf.get(i) else {
            return Ok(None);
        };
        len += (b & 0x7F) as usize * mult;
        i += 1;
        if b & 0x80 == 0 {
            break;
        }
        mult *= 128;
        if i > 4 {
            return Err(DecodeError::BadLength);
        }
    }
    if len > MAX_PACKET {
        return Err(DecodeError::TooLarge(len));
    }
    let Some(body) = buf.get(i..i + len) else {
        return Ok(None);
    };
    let pkt = decode_body(header, body)?;
    Ok(Some((pkt, i + len)))
}

fn pid_of(body: &[u8]) -> Result<u16, DecodeError> {
    match body {
        [a, b, ..] => Ok(u16::from_be_bytes([*a, *b])),
        _ => Err(DecodeError::Malformed("missing packet id")),
    }
}

fn decode_body(header: u8, body: &[u8]) -> Result<Packet, DecodeError> {
    let kind = header >> 4;
    Ok(match kind {
        2 => match body {
            [flags, code, ..] => Packet::ConnAck {
                session_present: flags & 1 == 1,
                code: *code,
            },
            _ => return Err(DecodeError::Malformed("short CONNACK")),
        },
        3 => {
            let qos = (header >> 1) & 3;
            if qos == 3 {
                return Err(DecodeError::Malformed("PUBLISH with QoS 3"));
            }
            let tlen = pid_of(body).map_err(|_| DecodeError::Malformed("short PUBLISH"))? as usize;
            let topic = body
                .get(2..2 + tlen)
                .ok_or(DecodeError::Malformed("PUBLISH topic past end"))?
                .to_vec();
            let mut rest = &body[2 + tlen..];
            let mut pid = 0;
            if qos > 0 {
                pid = pid_of(rest)?;
                rest = &rest[2..];
            }
            Packet::Publish {
                dup: header & 0x08 != 0,
                qos,
                retain: header & 1 != 0,
                topic,
                pid,
                payload: rest.to_vec(),
            }
        }
        4 => Packet::PubAck(pid_of(body)?),
        5 => Packet::PubRec(pid_of(body)?),
        6 => Packet::PubRel(pid_of(body)?),
        7 => Packet::PubComp(pid_of(body)?),
        9 => Packet::SubAck {
            pid: pid_of(body)?,
            codes: body[2..].to_vec(),
        },
        11 => Packet::UnsubAck(pid_of(body)?),
        13 => Packet::PingResp,
        other => Packet::Unexpected(other),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remaining_length_round_trip() {
        for n in [0usize, 1, 127, 128, 16_383, 16_384, 2_097_151] {
            let mut v = vec![0xD0];
            put_len(&mut v, n);
            v.resize(v.len() + n, 0);
            if n <= MAX_PACKET {
                let (_, used) = decode(&v).unwrap().unwrap();
                assert_eq!(used, v.len());
            } else {
                assert!(decode(&v).is_err());
            }
        }
    }

    #[test]
    fn publish_round_trip_all_qos() {
        for qos in 0..3u8 {
            let bytes = encode_publish(b"a/b", b"x,\r\n\"y", qos, true, 77);
            let (p, used) = decode(&bytes).unwrap().unwrap();
            assert_eq!(used, bytes.len());
            assert_eq!(
                p,
                Packet::Publish {
                    dup: false,
                    qos,
                    retain: true,
                    topic: b"a/b".to_vec(),
                    pid: if qos > 0 { 77 } else { 0 },
                    payload: b"x,\r\n\"y".to_vec()
                }
            );
        }
    }

    #[test]
    fn partial_input_needs_more() {
        let bytes = encode_publish(b"t", b"payload", 1, false, 5);
        for cut in 0..bytes.len() {
            assert_eq!(decode(&bytes[..cut]).unwrap(), None);
        }
    }

    #[test]
    fn connect_flags() {
        let c = Connect {
            client_id: b"id".to_vec(),
            username: Some(b"u".to_vec()),
            password: Some(b"p".to_vec()),
            will: Some(Will {
                topic: b"w".to_vec(),
                message: b"bye".to_vec(),
                qos: 1,
                retain: true,
            }),
            clean_session: true,
            keepalive: 60,
        };
        let b = encode_connect(&c);
        assert_eq!(b[0], 0x10);
        // fixed header (2) + "MQTT" string (6) + level (1) -> flags at index 9
        assert_eq!(b[9], 0x80 | 0x40 | 0x20 | 0x08 | 0x04 | 0x02);
        assert_eq!(&b[10..12], &60u16.to_be_bytes());
    }

    #[test]
    fn malformed_packets_are_errors_not_panics() {
        assert!(decode(&[0x30, 0x01, 0x00]).is_err());
        assert!(decode(&[0x40, 0x01, 0x00]).is_err());
        assert!(decode(&[0x20, 0x00]).is_err());
        assert!(decode(&[0x36, 0x00]).is_err());
        assert!(decode(&[0x90, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]).is_err());
    }
}
