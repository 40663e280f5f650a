//! The module's UART toward the MCU: a pty, a TCP listener (`--listen`, the MCU or QEMU
//! connects to us) or a TCP client (`--connect`, QEMU's `server=on` chardev).
//!
//! One peer at a time. `--listen` accepts a new peer at any time and it replaces the old one
//! (a restarted QEMU); `--connect` reconnects when the peer goes away. Output produced before the
//! first peer arrives is kept (up to 64 KiB) and delivered on connect, as if the MCU had been
//! wired to the module from power-up; output while a later peer is missing is lost, like bytes
//! on an unplugged wire.

use std::io;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};

use crate::pacing::Pacer;
use crate::pty::{Pty, PtyReader, PtyWriter};
use crate::runtime::Event;

const MAX_PENDING: usize = 64 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    Pty { link: Option<String> },
    Listen(String),
    Connect(String),
}

/// What the ready line reports about the serial side.
#[derive(Debug, Clone)]
pub struct SerialInfo {
    /// "pty", "listen" or "connect"
    pub mode: &'static str,
    /// pty path or TCP address
    pub address: String,
}

type BoxRead = Box<dyn AsyncRead + Unpin + Send>;
type BoxWrite = Box<dyn AsyncWrite + Unpin + Send>;

enum Source {
    Listen(TcpListener),
    Connect(String),
    Pty(Option<(PtyReader, PtyWriter)>, Option<Pty>),
}

impl Source {
    /// Waits for the next peer. Cancel-safe enough for `select!`: an abandoned connect attempt
    /// is simply retried.
    async fn next_peer(&mut self) -> (BoxRead, BoxWrite, String) {
        match self {
            Source::Listen(l) => loop {
                match l.accept().await {
                    Ok((s, addr)) => {
                        // QEMU's UART and MCU ports exchange tiny writes; Nagle would add ~40 ms.
                        let _ = s.set_nodelay(true);
                        let (r, w) = s.into_split();
                        return (Box::new(r), Box::new(w), addr.to_string());
                    }
                    Err(e) => {
                        crate::elog!("serial accept failed: {e}");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                }
            },
            Source::Connect(addr) => loop {
                match TcpStream::connect(addr.as_str()).await {
                    Ok(s) => {
                        let _ = s.set_nodelay(true);
                        let (r, w) = s.into_split();
                        return (Box::new(r), Box::new(w), addr.clone());
                    }
                    Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
                }
            },
            Source::Pty(slot, _keep) => match slot.take() {
                Some((r, w)) => (Box::new(r), Box::new(w), "pty".to_string()),
                None => std::future::pending().await,
            },
        }
    }

    fn new_peer_replaces_old(&self) -> bool {
        matches!(self, Source::Listen(_))
    }
}

/// Opens the endpoint and starts serving it. Returns what the ready line needs.
pub async fn start(
    ep: Endpoint,
    baud: Option<u32>,
    events: UnboundedSender<Event>,
    output: UnboundedReceiver<Vec<u8>>,
) -> io::Result<SerialInfo> {
    let (source, info) = match ep {
        Endpoint::Listen(addr) => {
            let l = TcpListener::bind(addr.as_str()).await?;
            let local = l.local_addr()?.to_string();
            (
                Source::Listen(l),
                SerialInfo {
                    mode: "listen",
                    address: local,
                },
            )
        }
        Endpoint::Connect(addr) => (
            Source::Connect(addr.clone()),
            SerialInfo {
                mode: "connect",
                address: addr,
            },
        ),
        Endpoint::Pty { link } => {
            let pty = Pty::open()?;
            let path = pty.path.clone();
            if let Some(link) = link {
                let _ = std::fs::remove_file(&link);
                std::os::unix::fs::symlink(&path, &link)?;
            }
            let halves = (PtyReader(pty.master.clone()), PtyWriter(pty.master.clone()));
            (
                Source::Pty(Some(halves), Some(pty)),
                SerialInfo {
                    mode: "pty",
                    address: path,
                },
            )
        }
    };
    tokio::spawn(serve(source, baud, events, output));
    Ok(info)
}

async fn serve(
    mut source: Source,
    baud: Option<u32>,
    events: UnboundedSender<Event>,
    mut output: UnboundedReceiver<Vec<u8>>,
) {
    let (gone_tx, mut gone_rx) = tokio::sync::mpsc::unbounded_channel::<u64>();
    let mut writer: Option<BoxWrite> = None;
    let mut peer_id = 0u64;
    let mut had_peer = false;
    let mut pending: Vec<u8> = Vec::new();
    let mut pacer = Pacer::new(baud);
    // More output was queued while the last write was being paced.
    let mut backlog = false;
    loop {
        let want_peer = writer.is_none() || source.new_peer_replaces_old();
        tokio::select! {
            (r, w, name) = source.next_peer(), if want_peer => {
                peer_id += 1;
                crate::elog!("serial peer {peer_id} connected ({name})");
                tokio::spawn(read_peer(r, baud, events.clone(), gone_tx.clone(), peer_id));
                let mut w = w;
                if !pending.is_empty() {
                    let bytes = std::mem::take(&mut pending);
                    if write_paced(&mut w, &bytes, &mut pacer, false).await.is_err() {
                        continue;
                    }
                }
                writer = Some(w);
                had_peer = true;
            }
            Some(id) = gone_rx.recv() => {
                if id == peer_id {
                    crate::elog!("serial peer {id} gone");
                    writer = None;
                }
            }
            msg = output.recv() => {
                let Some(bytes) = msg else { break };
                match writer.as_mut() {
                    Some(w) => {
                        let queued = backlog;
                        let result = write_paced(w, &bytes, &mut pacer, queued).await;
                        backlog = !output.is_empty();
                        if let Err(e) = result {
                            crate::elog!("serial write failed: {e}");
                            writer = None;
                        }
                    }
                    None if !had_peer => {
                        let room = MAX_PENDING.saturating_sub(pending.len());
                        pending.extend_from_slice(&bytes[..bytes.len().min(room)]);
                    }
                    None => {}
                }
            }
        }
    }
}

/// `queued`: these bytes were already waiting when the previous write finished.
async fn write_paced(
    w: &mut BoxWrite,
    bytes: &[u8],
    pacer: &mut Pacer,
    queued: bool,
) -> io::Result<()> {
    for (i, chunk) in bytes.chunks(pacer.slice().min(4096)).enumerate() {
        pacer.wait(chunk.len(), queued || i > 0).await;
        w.write_all(chunk).await?;
    }
    w.flush().await
}

async fn read_peer(
    mut r: BoxRead,
    baud: Option<u32>,
    events: UnboundedSender<Event>,
    gone: UnboundedSender<u64>,
    id: u64,
) {
    let mut pacer = Pacer::new(baud);
    let mut buf = vec![0u8; 4096];
    loop {
        // Bytes already in the socket when we get here were waiting behind the ones just
        // paced (same burst); bytes we have to wait for start a new one. `read` is cancel-safe.
        let (result, queued) =
            match tokio::time::timeout(std::time::Duration::ZERO, r.read(&mut buf)).await {
                Ok(result) => (result, true),
                Err(_) => (r.read(&mut buf).await, false),
            };
        match result {
            Ok(0) => break,
            Err(e) => {
                crate::elog!("serial read failed: {e}");
                break;
            }
            Ok(n) => {
                for (i, chunk) in buf[..n].chunks(pacer.slice().min(4096)).enumerate() {
                    pacer.wait(chunk.len(), queued || i > 0).await;
                    if events.send(Event::Serial(chunk.to_vec())).is_err() {
                        return;
                    }
                }
            }
        }
    }
    let _ = gone.send(id);
}
