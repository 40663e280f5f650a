//! `cellmqtt-emu` binary: parse flags, set up logging, run. See README.md.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let opts = match cellmqtt_emu::cli::parse(&args) {
        Ok(Some(o)) => o,
        Ok(None) => return ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cellmqtt-emu: {e}");
            return ExitCode::from(2);
        }
    };
    let sink: Box<dyn std::io::Write + Send> = match &opts.log {
        Some(path) => match std::fs::File::create(path) {
            Ok(f) => Box::new(f),
            Err(e) => {
                eprintln!("cellmqtt-emu: --log {path}: {e}");
                return ExitCode::from(2);
            }
        },
        None => Box::new(std::io::stderr()),
    };
    cellmqtt_emu::log::init(sink, opts.quiet);
    match cellmqtt_emu::runtime::run(opts) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cellmqtt-emu: {e}");
            ExitCode::FAILURE
        }
    }
}
