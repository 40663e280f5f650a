//! One broker connection (TCP, optionally TLS) as a tokio task. The module talks to it through
//! [`LinkCmd`]s and hears back through `Event::Net`. Closing means dropping the socket at once:
//! a fault must really cut the connection, with whatever was in flight.

use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};

use crate::module::{NetEvent, TlsSettings};
use crate::mqtt;
use crate::runtime::Event;

#[derive(Debug)]
pub enum LinkCmd {
    Send(Vec<u8>),
    Close,
}

trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

/// Timing of a link.
#[derive(Debug, Clone, Copy)]
pub struct LinkTiming {
    pub connect_timeout: Duration,
    /// `--net-latency-ms`: everything the link reports reaches the module this much later
    /// (real modules see 0.2-2 s between OK and CONNECT OK/CONNACK OK/PUBACK, docs/luat-at.md §9).
    pub latency: Duration,
}

/// Starts link `gen`; the returned sender drives it.
pub fn spawn(
    gen: u64,
    host: String,
    port: u16,
    tls: Option<TlsSettings>,
    timing: LinkTiming,
    events: UnboundedSender<Event>,
) -> UnboundedSender<LinkCmd> {
    let (tx, rx) = mpsc::unbounded_channel();
    let events = if timing.latency.is_zero() {
        events
    } else {
        delayed(events, timing.latency)
    };
    tokio::spawn(run(
        gen,
        host,
        port,
        tls,
        timing.connect_timeout,
        events,
        rx,
    ));
    tx
}

/// A sender whose events arrive `latency` later, in order.
fn delayed(events: UnboundedSender<Event>, latency: Duration) -> UnboundedSender<Event> {
    let (tx, mut rx) = mpsc::unbounded_channel::<Event>();
    let (qtx, mut qrx) = mpsc::unbounded_channel::<(tokio::time::Instant, Event)>();
    // Stamp on arrival, release in order once each stamp is due.
    tokio::spawn(async move {
        while let Some(ev) = rx.recv().await {
            if qtx
                .send((tokio::time::Instant::now() + latency, ev))
                .is_err()
            {
                return;
            }
        }
    });
    tokio::spawn(async move {
        while let Some((at, ev)) = qrx.recv().await {
            tokio::time::sleep_until(at).await;
            if events.send(ev).is_err() {
                return;
            }
        }
    });
    tx
}

async fn connect(
    host: &str,
    port: u16,
    tls: Option<TlsSettings>,
) -> Result<Box<dyn Stream>, String> {
    // Name lookup runs on tokio's blocking pool (getaddrinfo can block for a resolver's whole
    // timeout), so the module's loop never waits for it; the caller's connect timeout bounds
    // the lookup and the connect together. Its own step so the log tells DNS from TCP.
    let addrs: Vec<std::net::SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|e| format!("dns: {e}"))?
        .collect();
    if addrs.is_empty() {
        return Err(format!("dns: no address for {host}"));
    }
    let tcp = TcpStream::connect(&addrs[..])
        .await
        .map_err(|e| format!("tcp: {e}"))?;
    let _ = tcp.set_nodelay(true);
    match tls {
        None => Ok(Box::new(tcp)),
        Some(t) => {
            let (connector, name) = crate::tls::connector(&t)?;
            let s = connector
                .connect(name, tcp)
                .await
                .map_err(|e| format!("tls: {e}"))?;
            Ok(Box::new(s))
        }
    }
}

async fn run(
    gen: u64,
    host: String,
    port: u16,
    tls: Option<TlsSettings>,
    connect_timeout: Duration,
    events: UnboundedSender<Event>,
    mut rx: UnboundedReceiver<LinkCmd>,
) {
    let report = |ev: NetEvent| {
        let _ = events.send(Event::Net(gen, ev));
    };
    // Nothing is sent before the module saw CONNECT OK, so during the handshake the only
    // command that matters is Close (AT+MIPCLOSE or a fault).
    let attempt = tokio::time::timeout(connect_timeout, connect(&host, port, tls));
    let mut stream = tokio::select! {
        r = attempt => match r {
            Ok(Ok(s)) => s,
            Ok(Err(e)) => return report(NetEvent::ConnectFailed(e)),
            Err(_) => return report(NetEvent::ConnectFailed("timeout".into())),
        },
        _ = wait_close(&mut rx) => return,
    };
    report(NetEvent::Connected);
    let mut inbuf: Vec<u8> = Vec::new();
    let mut chunk = vec![0u8; 16 * 1024];
    loop {
        tokio::select! {
            cmd = rx.recv() => match cmd {
                Some(LinkCmd::Send(bytes)) => {
                    let r = async {
                        stream.write_all(&bytes).await?;
                        stream.flush().await
                    }.await;
                    if let Err(e) = r {
                        return report(NetEvent::Closed(format!("write: {e}")));
                    }
                }
                // Dropping the stream closes the socket; no DISCONNECT, no close_notify.
                Some(LinkCmd::Close) | None => return,
            },
            r = stream.read(&mut chunk) => match r {
                Ok(0) => return report(NetEvent::Closed("connection closed by broker".into())),
                Err(e) => return report(NetEvent::Closed(format!("read: {e}"))),
                Ok(n) => {
                    inbuf.extend_from_slice(&chunk[..n]);
                    loop {
                        match mqtt::decode(&inbuf) {
                            Ok(Some((p, used))) => {
                                inbuf.drain(..used);
                                report(NetEvent::Packet(p));
                            }
                            Ok(None) => break,
                            Err(e) => return report(NetEvent::Closed(format!("bad data from broker: {e}"))),
                        }
                    }
                }
            },
        }
    }
}

async fn wait_close(rx: &mut UnboundedReceiver<LinkCmd>) {
    while let Some(cmd) = rx.recv().await {
        if matches!(cmd, LinkCmd::Close) {
            return;
        }
    }
}
