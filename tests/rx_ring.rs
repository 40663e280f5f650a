//! RxRing: capacity edges, wraparound, overflow counting, a randomised model check against
//! `VecDeque`, and a two-thread producer/consumer stress test (scaled down under Miri).

use cellmqtt::RxRing;
use std::collections::VecDeque;

fn storage(n: usize) -> Vec<u8> {
    vec![0u8; n]
}

/// Small deterministic PRNG (xorshift64*), so failures reproduce.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn new_ring_is_empty() {
    let mut mem = storage(8);
    let mut ring = RxRing::new(&mut mem);
    let (ring, mut rd) = ring.split();
    assert_eq!(ring.capacity(), 8);
    assert_eq!(ring.len(), 0);
    assert!(ring.is_empty());
    assert_eq!(ring.dropped(), 0);
    let mut out = [0u8; 4];
    assert_eq!(rd.pop_into(&mut out), 0);
}

#[test]
fn fills_exactly_to_capacity() {
    let mut mem = storage(5);
    let mut ring = RxRing::new(&mut mem);
    let (ring, mut rd) = ring.split();
    assert_eq!(ring.push(b"abcde"), 5);
    assert_eq!(ring.len(), 5);
    assert_eq!(ring.dropped(), 0);
    assert_eq!(ring.push(b"f"), 0);
    assert_eq!(ring.dropped(), 1);
    let mut out = [0u8; 8];
    assert_eq!(rd.pop_into(&mut out), 5);
    assert_eq!(&out[..5], b"abcde");
    assert!(ring.is_empty());
}

#[test]
fn overflow_keeps_the_head_and_counts_the_rest() {
    let mut mem = storage(4);
    let mut ring = RxRing::new(&mut mem);
    let (ring, mut rd) = ring.split();
    assert_eq!(ring.push(b"123456789"), 4);
    assert_eq!(ring.dropped(), 5);
    assert_eq!(ring.push(b"xy"), 0);
    assert_eq!(ring.dropped(), 7);
    let mut out = [0u8; 2];
    assert_eq!(rd.pop_into(&mut out), 2);
    assert_eq!(&out, b"12");
    // Room again, but the reader has not reached the gap: a second gap behind the first could
    // not be told from it, so everything waits for the reader.
    assert_eq!(ring.push(b"abc"), 0);
    assert_eq!(ring.dropped(), 10);
    let mut out = [0u8; 10];
    assert_eq!(rd.pop_into(&mut out), 2);
    assert_eq!(&out[..2], b"34");
    // Reached and passed: bytes are taken again.
    assert_eq!(ring.push(b"abc"), 3);
    assert_eq!(rd.pop_into(&mut out), 3);
    assert_eq!(&out[..3], b"abc");
}

/// The engine's reader never reads across a gap, and is told of it once where its read finds
/// nothing: its parser resynchronises instead of reading a counted payload across the missing
/// bytes. Until then the ring takes nothing, so there is one gap at a time.
#[test]
fn the_parsers_reader_stops_once_at_a_gap() {
    let mut mem = storage(8);
    let mut ring = RxRing::new(&mut mem);
    let (ring, mut rd) = ring.split();
    let all = |rd: &mut cellmqtt::RxReader<'_, '_>| rd.read_with(|b| (b.len(), b.to_vec()));
    assert!(!rd.pass_gap(), "no gap in a fresh ring");
    assert_eq!(ring.push(b"0123456789"), 8);
    assert!(!rd.pass_gap(), "bytes before the gap");
    assert_eq!(ring.free(), 0);
    assert_eq!(all(&mut rd), b"01234567");
    assert!(!ring.is_empty(), "a gap waits");
    assert_eq!(
        ring.free(),
        0,
        "nothing is taken until the reader passes the gap"
    );
    assert_eq!(ring.push(b"x"), 0, "dropped while the gap waits");
    assert_eq!(all(&mut rd), b"");
    assert!(rd.pass_gap());
    assert!(!rd.pass_gap(), "passed once");
    assert!(ring.is_empty());
    assert_eq!(ring.free(), 8);
    assert_eq!(ring.push(b"xyz"), 3);
    assert_eq!(all(&mut rd), b"xyz");
    // `clear` passes a gap too.
    assert_eq!(ring.push(b"abcdefghij"), 8);
    rd.clear();
    assert!(ring.is_empty());
    assert_eq!(ring.push(b"k"), 1);
    assert_eq!(all(&mut rd), b"k");
    assert_eq!(ring.dropped(), 2 + 1 + 2);
}

#[test]
fn wraps_around_many_times() {
    let mut mem = storage(7);
    let mut ring = RxRing::new(&mut mem);
    let (ring, mut rd) = ring.split();
    let mut next_in = 0u8;
    let mut next_out = 0u8;
    // Chunk sizes coprime to the capacity so every slot is a wrap point at some time.
    for round in 0..200 {
        let len = 1 + round % 6;
        let chunk: Vec<u8> = (0..len)
            .map(|_| {
                next_in = next_in.wrapping_add(1);
                next_in
            })
            .collect();
        assert_eq!(ring.push(&chunk), len);
        let mut out = vec![0u8; len];
        assert_eq!(rd.pop_into(&mut out), len);
        for b in out {
            next_out = next_out.wrapping_add(1);
            assert_eq!(b, next_out);
        }
    }
    assert_eq!(ring.dropped(), 0);
}

#[test]
fn pop_into_small_buffer_takes_a_prefix() {
    let mut mem = storage(6);
    let mut ring = RxRing::new(&mut mem);
    let (ring, mut rd) = ring.split();
    ring.push(b"abcd");
    let mut out = [0u8; 1];
    assert_eq!(rd.pop_into(&mut out), 1);
    assert_eq!(out[0], b'a');
    assert_eq!(rd.pop_into(&mut []), 0);
    assert_eq!(ring.len(), 3);
}

#[test]
fn clear_discards_everything() {
    let mut mem = storage(4);
    let mut ring = RxRing::new(&mut mem);
    let (ring, mut rd) = ring.split();
    ring.push(b"abc");
    rd.clear();
    assert!(ring.is_empty());
    assert_eq!(ring.push(b"wxyz"), 4);
    let mut out = [0u8; 4];
    assert_eq!(rd.pop_into(&mut out), 4);
    assert_eq!(&out, b"wxyz");
}

#[test]
fn degenerate_capacities_do_not_panic() {
    let mut none = storage(0);
    let mut ring = RxRing::new(&mut none);
    let (ring, mut rd) = ring.split();
    assert_eq!(ring.capacity(), 0);
    assert_eq!(ring.push(b"abc"), 0);
    assert_eq!(ring.dropped(), 3);
    assert_eq!(rd.pop_into(&mut [0; 4]), 0);
    assert!(ring.is_empty());

    let mut one = storage(1);
    let mut ring = RxRing::new(&mut one);
    let (ring, mut rd) = ring.split();
    for i in 0..10u8 {
        assert_eq!(ring.push(&[i, i]), 1);
        let mut out = [0u8; 2];
        assert_eq!(rd.pop_into(&mut out), 1);
        assert_eq!(out[0], i);
    }
    assert_eq!(ring.dropped(), 10);
}

#[test]
fn dropped_counter_wraps() {
    let mut mem = storage(2);
    let mut ring = RxRing::new(&mut mem);
    let (ring, _reader) = ring.split();
    ring.push(b"ab");
    if cfg!(miri) {
        return; // 6 GiB of refused bytes is only counting, but too slow to interpret
    }
    // 6144 pushes of 1 MiB refuse 3 * 2^31 bytes, which is 2^31 modulo 2^32.
    let big = vec![0u8; 1 << 20];
    for _ in 0..3 * 2048 {
        assert_eq!(ring.push(&big), 0);
    }
    assert_eq!(ring.dropped(), 1 << 31);
}

#[test]
fn matches_vecdeque_model_under_random_traffic() {
    let iterations = if cfg!(miri) { 300 } else { 20_000 };
    for capacity in [2usize, 3, 8, 13, 64] {
        let mut mem = storage(capacity);
        let mut ring = RxRing::new(&mut mem);
        let (ring, mut rd) = ring.split();
        let mut model: VecDeque<u8> = VecDeque::new();
        let mut dropped = 0u32;
        // Bytes were dropped and the reader has not passed the place yet.
        let mut gap = false;
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ capacity as u64);
        let mut counter = 0u8;
        for _ in 0..iterations {
            if rng.below(2) == 0 {
                let len = rng.below(2 * capacity + 2);
                let data: Vec<u8> = (0..len)
                    .map(|_| {
                        counter = counter.wrapping_add(1);
                        counter
                    })
                    .collect();
                // Nothing is taken while a gap waits for the reader.
                let fits = if gap {
                    0
                } else {
                    (capacity - model.len()).min(len)
                };
                assert_eq!(ring.push(&data), fits);
                model.extend(&data[..fits]);
                dropped = dropped.wrapping_add((len - fits) as u32);
                gap |= fits < len;
            } else {
                let want = rng.below(2 * capacity + 2);
                let mut out = vec![0u8; want];
                let got = rd.pop_into(&mut out);
                assert_eq!(got, want.min(model.len()));
                // The gap is passed by a read that starts at it: all drained with room left
                // in `out`, or nothing stored at all.
                gap &= !(got == model.len() && (got < want || got == 0));
                let expected: Vec<u8> = model.drain(..got).collect();
                assert_eq!(&out[..got], &expected[..]);
            }
            if rng.below(97) == 0 {
                rd.clear();
                model.clear();
                gap = false;
            }
            assert_eq!(ring.len(), model.len());
            assert_eq!(ring.is_empty(), model.is_empty() && !gap);
            assert_eq!(ring.dropped(), dropped);
        }
    }
}

#[test]
fn two_threads_move_every_byte_in_order() {
    let total: usize = if cfg!(miri) { 3_000 } else { 2_000_000 };
    let mut mem = storage(61);
    let mut ring = RxRing::new(&mut mem);
    let (ring, mut rd) = ring.split();
    std::thread::scope(|s| {
        s.spawn(|| {
            let mut rng = Rng(7);
            let mut sent = 0usize;
            let mut chunk = Vec::new();
            while sent < total {
                let len = (1 + rng.below(23)).min(total - sent);
                chunk.clear();
                chunk.extend((sent..sent + len).map(|i| (i % 251) as u8));
                // Retry what did not fit, so nothing is dropped and the order is checkable.
                let mut offset = 0;
                while offset < len {
                    let n = ring.push(&chunk[offset..]);
                    offset += n;
                    if n == 0 {
                        std::thread::yield_now();
                    }
                }
                sent += len;
            }
        });
        s.spawn(|| {
            let mut rng = Rng(11);
            let mut received = 0usize;
            let mut out = [0u8; 40];
            while received < total {
                let want = 1 + rng.below(out.len());
                let n = rd.pop_into(&mut out[..want]);
                for (k, &b) in out[..n].iter().enumerate() {
                    assert_eq!(b, ((received + k) % 251) as u8, "byte {}", received + k);
                }
                received += n;
                if n == 0 {
                    std::thread::yield_now();
                }
            }
        });
    });
    // `dropped` is not checked: the ring counts every refused remainder, although this
    // producer sends it again.
    assert!(ring.is_empty());
}
