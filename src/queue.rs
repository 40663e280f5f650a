//! The publish queue: a FIFO of variable-size records in a caller-provided arena.
//!
//! Each record is a 10-byte header, the topic and the payload, stored contiguously so the
//! encoder can stream topic and payload straight from the arena (no copies). A record that does
//! not fit before the end of the arena starts again at offset 0; the tail gap is remembered.

use crate::Status;

const HEADER: usize = 10;

/// Per-record flags (byte 6 of the header).
const QOS_MASK: u8 = 0b0000_0011;
const RETAIN: u8 = 0b0000_0100;

/// A queued publish, borrowed from the arena.
#[derive(Clone, Copy, Debug)]
pub struct Entry<'b> {
    pub id: u16,
    pub qos: u8,
    pub retain: bool,
    /// Times this record was sent (including the current attempt).
    pub attempts: u8,
    /// Times the module answered `ERROR` to it while the link was up.
    pub rejections: u8,
    pub topic: &'b [u8],
    pub payload: &'b [u8],
}

pub struct PublishQueue<'a> {
    buf: &'a mut [u8],
    /// Offset of the oldest record.
    head: usize,
    /// Offset where the next record goes.
    tail: usize,
    /// Where the records before a wrap end (the gap after it is unused); `buf.len()` if none.
    wrap_at: usize,
    count: usize,
    used: usize,
    high_water: usize,
}

fn rd16(b: &[u8], at: usize) -> usize {
    match b.get(at..at + 2) {
        Some(&[lo, hi]) => usize::from(u16::from_le_bytes([lo, hi])),
        _ => 0,
    }
}

impl<'a> PublishQueue<'a> {
    pub fn new(buf: &'a mut [u8]) -> Self {
        let len = buf.len();
        PublishQueue {
            buf,
            head: 0,
            tail: 0,
            wrap_at: len,
            count: 0,
            used: 0,
            high_water: 0,
        }
    }

    /// Bytes a record for this topic and payload occupies.
    pub fn record_size(topic_len: usize, payload_len: usize) -> usize {
        HEADER + topic_len + payload_len
    }

    /// True when a record of these sizes could ever fit (an empty arena).
    pub fn can_ever_hold(&self, topic_len: usize, payload_len: usize) -> bool {
        Self::record_size(topic_len, payload_len) <= self.buf.len()
    }

    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    pub fn high_water(&self) -> usize {
        self.high_water
    }

    /// Where a record of `size` bytes can start, if there is room.
    fn slot_for(&self, size: usize) -> Option<usize> {
        let cap = self.buf.len();
        if self.count == 0 {
            return (size <= cap).then_some(0);
        }
        if self.tail > self.head {
            // Free space: [tail, cap) and [0, head).
            if cap - self.tail >= size {
                Some(self.tail)
            } else if self.head >= size {
                Some(0)
            } else {
                None
            }
        } else {
            // Wrapped (or full): free space is [tail, head).
            (self.head - self.tail >= size).then_some(self.tail)
        }
    }

    /// Topic plus payload bytes the largest record that fits now may have.
    pub fn room(&self) -> usize {
        let cap = self.buf.len();
        let free = if self.count == 0 {
            cap
        } else if self.tail > self.head {
            (cap - self.tail).max(self.head)
        } else {
            self.head - self.tail
        };
        free.saturating_sub(HEADER)
    }

    /// Appends a record. `QueueFull` if there is no room now (nothing is changed).
    pub fn push(
        &mut self,
        id: u16,
        topic: &[u8],
        payload: &[u8],
        qos: u8,
        retain: bool,
    ) -> Result<(), Status> {
        let size = Self::record_size(topic.len(), payload.len());
        let (Ok(tlen), Ok(plen)) = (u16::try_from(topic.len()), u16::try_from(payload.len()))
        else {
            return Err(Status::PayloadTooLong);
        };
        let at = self.slot_for(size).ok_or(Status::QueueFull)?;
        let record = self.buf.get_mut(at..at + size).ok_or(Status::QueueFull)?;
        let (header, body) = record.split_at_mut(HEADER);
        let (t, p) = body.split_at_mut(topic.len());
        header.copy_from_slice(&[
            (id & 0xff) as u8,
            (id >> 8) as u8,
            (tlen & 0xff) as u8,
            (tlen >> 8) as u8,
            (plen & 0xff) as u8,
            (plen >> 8) as u8,
            (qos & QOS_MASK) | if retain { RETAIN } else { 0 },
            0, // attempts
            0, // rejections
            0,
        ]);
        t.copy_from_slice(topic);
        p.copy_from_slice(payload);
        if at == 0 && self.count > 0 && self.tail > self.head {
            self.wrap_at = self.tail;
        }
        self.tail = at + size;
        self.count += 1;
        self.used += size;
        self.high_water = self.high_water.max(self.used);
        Ok(())
    }

    /// The oldest record.
    pub fn front(&self) -> Option<Entry<'_>> {
        if self.count == 0 {
            return None;
        }
        let h = self.head;
        let b = &*self.buf;
        let tlen = rd16(b, h + 2);
        let plen = rd16(b, h + 4);
        let flags = b.get(h + 6).copied().unwrap_or(0);
        let body = h + HEADER;
        Some(Entry {
            id: rd16(b, h) as u16,
            qos: flags & QOS_MASK,
            retain: flags & RETAIN != 0,
            attempts: b.get(h + 7).copied().unwrap_or(0),
            rejections: b.get(h + 8).copied().unwrap_or(0),
            topic: b.get(body..body + tlen).unwrap_or(&[]),
            payload: b.get(body + tlen..body + tlen + plen).unwrap_or(&[]),
        })
    }

    /// Counts one more send of the oldest record.
    pub fn note_attempt(&mut self) {
        if self.count > 0 {
            if let Some(a) = self.buf.get_mut(self.head + 7) {
                *a = a.saturating_add(1);
            }
        }
    }

    /// Counts one more `ERROR` answer to the oldest record; returns the new count.
    pub fn note_rejection(&mut self) -> u8 {
        if self.count == 0 {
            return 0;
        }
        match self.buf.get_mut(self.head + 8) {
            Some(r) => {
                *r = r.saturating_add(1);
                *r
            }
            None => 0,
        }
    }

    /// Removes the oldest record.
    pub fn pop(&mut self) {
        let Some(e) = self.front() else { return };
        let size = Self::record_size(e.topic.len(), e.payload.len());
        self.count -= 1;
        self.used = self.used.saturating_sub(size);
        if self.count == 0 {
            self.head = 0;
            self.tail = 0;
            self.wrap_at = self.buf.len();
            return;
        }
        self.head += size;
        if self.head >= self.wrap_at {
            self.head = 0;
            self.wrap_at = self.buf.len();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    extern crate std;
    use std::collections::VecDeque;
    use std::vec::Vec;

    #[test]
    fn fifo_with_wrap_matches_model() {
        let mut arena = [0u8; 97];
        let mut q = PublishQueue::new(&mut arena);
        let mut model: VecDeque<(u16, Vec<u8>)> = VecDeque::new();
        let mut seed = 12345u32;
        let mut id = 0u16;
        for _ in 0..5000 {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            if seed % 3 != 0 {
                id = id.wrapping_add(1);
                let len = (seed >> 8) as usize % 40;
                let payload: Vec<u8> = (0..len).map(|i| (i as u8) ^ (id as u8)).collect();
                match q.push(id, b"t/x", &payload, 1, false) {
                    Ok(()) => model.push_back((id, payload)),
                    Err(s) => assert_eq!(s, Status::QueueFull),
                }
            } else if let Some((mid, mp)) = model.pop_front() {
                let e = q.front().unwrap();
                assert_eq!(e.id, mid);
                assert_eq!(e.topic, b"t/x");
                assert_eq!(e.payload, &mp[..]);
                q.pop();
            } else {
                assert!(q.front().is_none());
            }
            assert_eq!(q.len(), model.len());
        }
    }

    #[test]
    fn full_arena_refuses_without_change() {
        let mut arena = [0u8; 30];
        let mut q = PublishQueue::new(&mut arena);
        q.push(1, b"a", b"0123456789", 2, true).unwrap();
        assert_eq!(
            q.push(2, b"a", b"0123456789", 0, false),
            Err(Status::QueueFull)
        );
        let e = q.front().unwrap();
        assert_eq!(
            (e.id, e.qos, e.retain, e.payload),
            (1, 2, true, &b"0123456789"[..])
        );
        q.note_attempt();
        q.note_attempt();
        assert_eq!(q.note_rejection(), 1);
        assert_eq!(q.front().unwrap().attempts, 2);
        q.pop();
        assert!(q.is_empty());
        assert!(q.push(3, b"a", b"0123456789012345678", 0, false).is_ok());
        assert_eq!(q.high_water(), 30);
    }
}
