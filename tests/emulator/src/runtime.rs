//! The tokio glue: one task owns the [`Module`] and everything reaches it as an [`Event`] on one
//! channel, so the module never needs a lock and its behaviour is a function of the event order.

use std::collections::HashMap;
use std::io::Write;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc::{self, UnboundedSender};
use tokio::sync::oneshot;

use crate::cli::Options;
use crate::control::{self, ControlCmd};
use crate::link::{self, LinkCmd, LinkTiming};
use crate::module::{Action, Module, NetEvent};
use crate::serial;

/// Longest control line accepted.
const MAX_CONTROL_LINE: usize = 4096;

pub enum Event {
    /// Bytes from the MCU (already paced).
    Serial(Vec<u8>),
    /// Something happened on broker link `gen`.
    Net(u64, NetEvent),
    /// A control-socket command and where to send its reply.
    Control(ControlCmd, oneshot::Sender<Result<String, String>>),
}

pub fn run(opts: Options) -> Result<(), String> {
    if opts.replay.is_some() {
        return crate::replay::run(opts);
    }
    // The broker first, outside our runtime: rumqttd brings its own.
    #[cfg(feature = "embedded-broker")]
    let broker_addr = match opts.embedded_broker {
        Some(port) => Some(crate::broker::start(port)?),
        None => None,
    };
    #[cfg(not(feature = "embedded-broker"))]
    let broker_addr: Option<String> = None;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("tokio runtime: {e}"))?;
    let r = rt.block_on(main_loop(opts, broker_addr));
    // A name lookup stuck in the resolver sits on the blocking pool; do not wait for it.
    rt.shutdown_timeout(Duration::from_millis(100));
    r
}

async fn main_loop(opts: Options, broker_addr: Option<String>) -> Result<(), String> {
    let (ev_tx, mut ev_rx) = mpsc::unbounded_channel::<Event>();
    let (out_tx, out_rx) = mpsc::unbounded_channel::<Vec<u8>>();
    let info = serial::start(opts.endpoint.clone(), opts.baud, ev_tx.clone(), out_rx)
        .await
        .map_err(|e| format!("serial endpoint: {e}"))?;
    let control_addr = match &opts.control {
        Some(addr) => {
            let l = TcpListener::bind(addr.as_str())
                .await
                .map_err(|e| format!("control socket {addr}: {e}"))?;
            let local = l.local_addr().map_err(|e| e.to_string())?.to_string();
            tokio::spawn(control_server(l, ev_tx.clone()));
            Some(local)
        }
        None => None,
    };

    // Built by hand so "event" comes first (serde_json's map would sort the keys).
    let js = |v: serde_json::Value| v.to_string();
    let serial_key = if info.mode == "pty" { "serial" } else { "tcp" };
    let mut ready = format!(
        r#"{{"event":"ready","{serial_key}":{},"control":{},"profile":"{}","mode":"{}","baud":{}"#,
        js(info.address.clone().into()),
        js(control_addr.clone().into()),
        opts.module.profile.name(),
        info.mode,
        js(opts.baud.into()),
    );
    if let Some(b) = &broker_addr {
        ready.push_str(&format!(r#","broker":{}"#, js(b.clone().into())));
    }
    ready.push('}');
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{ready}").map_err(|e| e.to_string())?;
        out.flush().map_err(|e| e.to_string())?;
    }
    crate::elog!("ready: {ready}");

    let mut module = Module::new(opts.module.clone(), Instant::now());
    let mut links: HashMap<u64, UnboundedSender<LinkCmd>> = HashMap::new();
    let timing = LinkTiming {
        connect_timeout: opts.connect_timeout,
        latency: opts.net_latency,
    };
    let exit_at = opts.exit_after.map(|d| tokio::time::Instant::now() + d);
    loop {
        for action in module.take_actions() {
            perform(action, &out_tx, &mut links, &ev_tx, timing);
        }
        let deadline = module.next_deadline();
        let timer = async {
            match deadline {
                Some(d) => tokio::time::sleep_until(tokio::time::Instant::from_std(d)).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            ev = ev_rx.recv() => {
                // ev_tx lives in this function, so the channel never closes.
                let Some(ev) = ev else { break };
                let now = Instant::now();
                match ev {
                    Event::Serial(bytes) => module.on_serial(now, &bytes),
                    Event::Net(gen, e) => module.on_net(now, gen, e),
                    Event::Control(cmd, reply) => {
                        let r = module.on_control(now, cmd);
                        let _ = reply.send(r);
                    }
                }
            }
            _ = timer => module.on_timer(Instant::now()),
            _ = sleep_until_opt(exit_at) => {
                crate::elog!("--exit-after-ms reached");
                break;
            }
        }
    }
    Ok(())
}

async fn sleep_until_opt(at: Option<tokio::time::Instant>) {
    match at {
        Some(t) => tokio::time::sleep_until(t).await,
        None => std::future::pending().await,
    }
}

fn perform(
    action: Action,
    out: &UnboundedSender<Vec<u8>>,
    links: &mut HashMap<u64, UnboundedSender<LinkCmd>>,
    events: &UnboundedSender<Event>,
    timing: LinkTiming,
) {
    match action {
        Action::Serial(bytes) => {
            let _ = out.send(bytes);
        }
        Action::Connect {
            gen,
            host,
            port,
            tls,
        } => {
            let tx = link::spawn(gen, host, port, tls, timing, events.clone());
            links.insert(gen, tx);
        }
        Action::Send { gen, bytes } => {
            if let Some(tx) = links.get(&gen) {
                let _ = tx.send(LinkCmd::Send(bytes));
            }
        }
        Action::Close { gen } => {
            if let Some(tx) = links.remove(&gen) {
                let _ = tx.send(LinkCmd::Close);
            }
        }
    }
}

pub(crate) async fn control_server(listener: TcpListener, events: UnboundedSender<Event>) {
    loop {
        match listener.accept().await {
            Ok((s, _)) => {
                let _ = s.set_nodelay(true);
                tokio::spawn(control_client(s, events.clone()));
            }
            Err(e) => {
                crate::elog!("control accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

/// Serves one control client: one reply line per command line, in order.
async fn control_client(mut s: TcpStream, events: UnboundedSender<Event>) {
    let mut buf: Vec<u8> = Vec::new();
    let mut chunk = [0u8; 1024];
    loop {
        let n = match s.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        buf.extend_from_slice(&chunk[..n]);
        while let Some(pos) = buf.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = buf.drain(..=pos).collect();
            let text = String::from_utf8_lossy(&line);
            let text = text.trim();
            if text.is_empty() {
                continue;
            }
            let reply = handle_control_line(text, &events).await;
            if s.write_all(format!("{reply}\n").as_bytes()).await.is_err() {
                return;
            }
        }
        if buf.len() > MAX_CONTROL_LINE {
            buf.clear();
            if s.write_all(b"error line too long\n").await.is_err() {
                return;
            }
        }
    }
}

async fn handle_control_line(text: &str, events: &UnboundedSender<Event>) -> String {
    let cmd = match control::parse(text) {
        Ok(c) => c,
        Err(e) => return format!("error {e}"),
    };
    let (tx, rx) = oneshot::channel();
    if events.send(Event::Control(cmd, tx)).is_err() {
        return "error emulator shutting down".into();
    }
    match rx.await {
        Ok(Ok(s)) if s.is_empty() => "ok".into(),
        Ok(Ok(s)) => format!("ok {s}"),
        Ok(Err(e)) => format!("error {e}"),
        Err(_) => "error no reply".into(),
    }
}
