//! `--pty`: a pseudo-terminal whose slave side the MCU program (or a person with a terminal
//! program) opens like a serial port. The master side is our UART.
//!
//! We keep the slave open ourselves, for two reasons: the master would otherwise read EIO every
//! time the user's program closes the port, and the slave's line discipline must be put in raw
//! mode (no echo, no CR/LF translation) before anyone opens it.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::fs::OpenOptionsExt;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use tokio::io::unix::AsyncFd;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

pub struct Pty {
    pub path: String,
    pub master: Arc<AsyncFd<File>>,
    /// Held open for the emulator's lifetime (see module doc).
    _slave: File,
}

fn check(rc: libc::c_int, what: &str) -> io::Result<()> {
    if rc < 0 {
        let e = io::Error::last_os_error();
        return Err(io::Error::new(e.kind(), format!("{what}: {e}")));
    }
    Ok(())
}

impl Pty {
    pub fn open() -> io::Result<Pty> {
        // SAFETY: plain libc calls on a descriptor we own; every result is checked.
        let fd = unsafe { libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY) };
        check(fd, "posix_openpt")?;
        // SAFETY: `fd` is a fresh, valid descriptor that nothing else owns.
        let master = unsafe { OwnedFd::from_raw_fd(fd) };
        let raw = master.as_raw_fd();
        // SAFETY: `raw` is the valid master descriptor.
        check(unsafe { libc::grantpt(raw) }, "grantpt")?;
        // SAFETY: as above.
        check(unsafe { libc::unlockpt(raw) }, "unlockpt")?;
        let mut name = [0 as libc::c_char; 128];
        // SAFETY: the buffer is valid for its length; ptsname_r NUL-terminates on success.
        let rc = unsafe { libc::ptsname_r(raw, name.as_mut_ptr(), name.len()) };
        if rc != 0 {
            return Err(io::Error::from_raw_os_error(rc));
        }
        // SAFETY: ptsname_r succeeded, so `name` holds a NUL-terminated string.
        let path = unsafe { std::ffi::CStr::from_ptr(name.as_ptr()) }
            .to_string_lossy()
            .into_owned();
        let slave = OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(libc::O_NOCTTY)
            .open(&path)?;
        make_raw(&slave)?;
        // SAFETY: F_GETFL/F_SETFL on our own valid descriptor.
        unsafe {
            let flags = libc::fcntl(raw, libc::F_GETFL);
            check(flags, "fcntl(F_GETFL)")?;
            check(
                libc::fcntl(raw, libc::F_SETFL, flags | libc::O_NONBLOCK),
                "fcntl(F_SETFL)",
            )?;
        }
        // SAFETY: the File owns the master descriptor and keeps returning it until dropped,
        // which only happens together with the AsyncFd.
        let master =
            Arc::new(unsafe { AsyncFd::register(File::from(master)) }.map_err(io::Error::from)?);
        Ok(Pty {
            path,
            master,
            _slave: slave,
        })
    }
}

fn make_raw(f: &File) -> io::Result<()> {
    // SAFETY: termios is plain data; tcgetattr fills it before use; the descriptor is valid.
    unsafe {
        let mut t: libc::termios = std::mem::zeroed();
        check(libc::tcgetattr(f.as_raw_fd(), &mut t), "tcgetattr")?;
        libc::cfmakeraw(&mut t);
        check(
            libc::tcsetattr(f.as_raw_fd(), libc::TCSANOW, &t),
            "tcsetattr",
        )?;
    }
    Ok(())
}

/// Read half of the master.
pub struct PtyReader(pub Arc<AsyncFd<File>>);
/// Write half of the master.
pub struct PtyWriter(pub Arc<AsyncFd<File>>);

impl AsyncRead for PtyReader {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        loop {
            let mut guard = ready!(self.0.poll_read_ready(cx))?;
            let unfilled = buf.initialize_unfilled();
            match guard.try_io(|fd| fd.get_ref().read(unfilled)) {
                Ok(Ok(n)) => {
                    buf.advance(n);
                    return Poll::Ready(Ok(()));
                }
                Ok(Err(e)) => return Poll::Ready(Err(e)),
                Err(_would_block) => continue,
            }
        }
    }
}

impl AsyncWrite for PtyWriter {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        loop {
            let mut guard = ready!(self.0.poll_write_ready(cx))?;
            match guard.try_io(|fd| fd.get_ref().write(data)) {
                Ok(r) => return Poll::Ready(r),
                Err(_would_block) => continue,
            }
        }
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}
